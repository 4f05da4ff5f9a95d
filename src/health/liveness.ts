import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { requestIdOf } from '../logging/request-context.js';
import { HEALTH_ROUTES } from './health.routes.js';

/**
 * Answers `GET /health` on the HTTP server itself, before Express and Nest see the request: a
 * liveness probe proves the process serves, and must stay cheap when the service is busy (it costs
 * a fraction of the full pipeline). Everything else, `/health?x` and `HEAD /health` included, goes
 * on to the application, whose HealthController answers the same and documents the route.
 */
export function answerLivenessFirst(server: Server): void {
  const application = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === HEALTH_ROUTES.liveness) {
      response.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': '2',
        'cache-control': 'no-store',
        'x-request-id': requestIdOf(request),
      });
      response.end('OK');
      return;
    }
    for (const listener of application) listener(request, response);
  });
}
