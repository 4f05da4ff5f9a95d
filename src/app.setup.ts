import type { Server } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { UnauthorizedError } from './auth/auth.errors.js';
import { jsonBodyParser } from './common/request-body.js';
import { LARGE_BODY_ROUTES } from './downloads/downloads.routes.js';
import { IncomingAdds } from './downloads/torrents/incoming-adds.js';
import { answerLivenessFirst } from './health/liveness.js';
import type { AppConfig } from './config/app.config.js';
import { AppLogger } from './logging/app-logger.js';
import { IdleHeapRelease } from './memory/idle-heap-release.js';
import { requestIdMiddleware } from './logging/request-context.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Options for NestFactory.create (and Test's createNestApplication) that configureApp relies on. */
export const APP_OPTIONS: NestApplicationOptions = {
  // jsonBodyParser replaces Nest's parsers so that a bad body is answered in the route's own shape.
  bodyParser: false,
  // While shutting down, requests in flight finish; new ones (on kept-alive connections) get 503.
  return503OnClosing: true,
};

/**
 * Request line and headers: room for the core's status poll, which names every active download in
 * the query of GET /downloads (41 bytes a hash: about 25,000 hashes).
 */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** What server.ts and the e2e tests both do to a created application. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
  app.useLogger(
    new AppLogger(
      config.get('logLevels', { infer: true }),
      config.get('logFormat', { infer: true }),
    ),
  );
  app.disable('x-powered-by');
  // Express hashes every body for an ETag; no client of this API makes conditional requests.
  app.set('etag', false);
  // Each request is timed from its first byte, body included.
  app.use(app.get(HttpMetrics).middleware);
  app.use(jsonBodyParser(LARGE_BODY_ROUTES));
  app.use(requestIdMiddleware);
  setupOpenApi(app, { tokenRefused: UnauthorizedError.invalidToken().message });
  const server = app.getHttpServer() as Server & { maxHeaderSize?: number };
  // Node reads this per connection; Nest creates the server without a way to pass it.
  server.maxHeaderSize = MAX_HEADER_BYTES;
  answerLivenessFirst(server);
  app.get(IncomingAdds).countOn(server);
  app.get(IdleHeapRelease).observe(server);
  return app;
}
