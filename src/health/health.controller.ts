import { Controller, Get, Header } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '../openapi/swagger-decorators.js';
import { HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { QbittorrentHealthIndicator } from '../qbittorrent/qbittorrent.health.js';

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
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly qbittorrent: QbittorrentHealthIndicator,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Liveness: the process serves, whatever qBittorrent's state" })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Always `OK`', schema: { type: 'string', example: 'OK' } })
  live(): string {
    return 'OK';
  }

  @Get('ready')
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
  ready() {
    return this.health.check([() => this.qbittorrent.isHealthy('qbittorrent')]);
  }
}
