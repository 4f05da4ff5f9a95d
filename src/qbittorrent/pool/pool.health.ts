import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QbittorrentPool } from './qbittorrent-pool.js';

/**
 * Readiness: whether a qBittorrent can take adds (it answers and our session works), as the pool
 * describes it: with one, its version and risky settings; with several, each instance.
 */
@Injectable()
export class QbittorrentHealthIndicator {
  constructor(
    private readonly pool: QbittorrentPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const { up, details } = await this.pool.readiness();
    return up ? indicator.up(details) : indicator.down(details);
  }
}
