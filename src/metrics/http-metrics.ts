import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Histogram } from 'prom-client';
import { isDocsPath } from '../openapi/openapi.constants.js';
import { MetricsService } from './metrics.service.js';

/**
 * Every request the application serves, counted and timed by method, route and status code, the
 * way prom-client users expect (`http_request_duration_seconds`): a new controller is measured
 * without a line of its own. The route is the pattern Express matched (`/downloads/:hash/pause`),
 * never the URL with its hashes; a request no route matched is `unmatched`. The liveness probe,
 * answered before Express (health/liveness.ts), is not counted.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(metrics: MetricsService) {
    this.duration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests served, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  }

  /** Express middleware: times the request from here to its last byte. */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    response.once('finish', () => {
      this.duration.observe(
        { method: request.method, route: routeOf(request), status_code: response.statusCode },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}

function routeOf(request: Request): string {
  const route = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return route;
  return isDocsPath(request.path) ? '/docs' : 'unmatched';
}
