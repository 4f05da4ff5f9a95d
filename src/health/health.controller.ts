import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '../openapi/swagger-decorators.js';
import { type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { QbittorrentHealthIndicator } from '../qbittorrent/pool/pool.health.js';
import { HEALTH_ROUTES } from './health.routes.js';

const READY = {
  status: 'ok',
  info: {
    qbittorrent: {
      status: 'up',
      url: 'http://qbittorrent:8080',
      version: 'v5.1.0',
      webApiVersion: '2.11.4',
    },
  },
  error: {},
  details: {
    qbittorrent: {
      status: 'up',
      url: 'http://qbittorrent:8080',
      version: 'v5.1.0',
      webApiVersion: '2.11.4',
    },
  },
};
const DOWN = {
  status: 'down',
  url: 'http://qbittorrent:8080',
  message: 'qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
};

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly qbittorrent: QbittorrentHealthIndicator,
  ) {}

  @Get(HEALTH_ROUTES.liveness)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Liveness: the process serves, whatever qBittorrent's state" })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Always `OK`', schema: { type: 'string', example: 'OK' } })
  live(): string {
    return 'OK';
  }

  @Get(HEALTH_ROUTES.readiness)
  @Header('Cache-Control', 'no-store')
  // No Terminus HealthCheck decorator: all it adds is a cache header (set above) and swagger
  // answers that would load @nestjs/swagger at start-up (swagger-decorators.ts); ours document it.
  @ApiOperation({ summary: 'Readiness: qBittorrent answers and our session works' })
  @ApiOkResponse({
    description: 'Ready, with the qBittorrent version',
    schema: { type: 'object', example: READY },
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready, naming the cause',
    schema: {
      type: 'object',
      example: {
        status: 'error',
        info: {},
        error: { qbittorrent: DOWN },
        details: { qbittorrent: DOWN },
      },
    },
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.qbittorrent.isHealthy('qbittorrent')]);
    } catch (error) {
      // Terminus throws its 503 with the whole result: answered here, in Terminus's shape, rather
      // than in the `{"error"}` shape of the application's exception filter.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(error.getStatus());
      return error.getResponse() as HealthCheckResult;
    }
  }
}
