import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';

/** Ready means qBittorrent answers and our session works; the answer carries its version. */
@Injectable()
export class QbittorrentHealthIndicator {
  constructor(
    private readonly client: QbittorrentClient,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    try {
      const version = await this.client.getVersion();
      return indicator.up({
        url: this.client.baseUrl,
        version: version.app,
        webApiVersion: version.webApi,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ url: this.client.baseUrl, message });
    }
  }
}
