import { ConsoleLogger, type NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { jsonBodyParser } from './common/request-body.js';
import type { AppConfig } from './config/app.config.js';

/** Options for NestFactory.create (and Test's createNestApplication) that configureApp relies on. */
export const APP_OPTIONS: NestApplicationOptions = {
  // jsonBodyParser replaces Nest's parsers so that a bad body is answered in the route's own shape.
  bodyParser: false,
};

/** What main.ts and the e2e tests both do to a created application. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<ConfigService<AppConfig, true>>(ConfigService);
  app.useLogger(new ConsoleLogger({ logLevels: config.get('logLevels', { infer: true }) }));
  app.disable('x-powered-by');
  app.use(jsonBodyParser());
  return app;
}
