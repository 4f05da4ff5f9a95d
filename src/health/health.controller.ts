import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { QbittorrentHealthIndicator } from '../qbittorrent/qbittorrent.health.js';

@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly qbittorrent: QbittorrentHealthIndicator,
  ) {}

  /** Liveness: the process serves. Plain `OK`, whatever qBittorrent's state, for `curl -f` probes. */
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  live(): string {
    return 'OK';
  }

  /** Readiness: qBittorrent answers and our session works. 200 or 503, Terminus JSON. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.qbittorrent.isHealthy('qbittorrent')]);
  }
}
