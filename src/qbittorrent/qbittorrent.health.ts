import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentSettings } from './qbittorrent-settings.reader.js';

/**
 * Ready means qBittorrent answers and our session works; the answer carries its version and, as
 * details that never fail the check, the settings of qBittorrent's that can lose downloads.
 */
@Injectable()
export class QbittorrentHealthIndicator {
  constructor(
    private readonly client: QbittorrentClient,
    private readonly settings: QbittorrentSettings,
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
        risky_settings: await this.settings.risks().catch(() => []),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ url: this.client.baseUrl, message });
    }
  }
}
