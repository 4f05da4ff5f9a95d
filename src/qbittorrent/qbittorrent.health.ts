import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QbittorrentPool } from './pool/qbittorrent-pool.js';
import type { QbittorrentInstance } from './qbittorrent-instance.js';

/** How readiness describes one qBittorrent of several. */
export interface InstanceReadiness {
  instance: string;
  status: 'up' | 'down';
  version: string | null;
  webApiVersion: string | null;
  /** Bytes free on its default save path; null until it reports it. */
  free_space_on_disk: number | null;
  /** Free space minus what its incomplete torrents still need; null while unknown. */
  room: number | null;
  incomplete_torrents: number;
  /** Why it is down. */
  message?: string;
  risky_settings?: { setting: string; risk: string }[];
}

/**
 * Ready means a qBittorrent can take adds: it answers and our session works. With one, its
 * version and, as details that never fail the check, the settings of qBittorrent's that can lose
 * downloads. With several, ready while at least one can take adds, each described: address,
 * version, up or down, free space, room and incomplete torrents; a down one is not asked again here
 * (the pool looks at it in the background).
 */
@Injectable()
export class QbittorrentHealthIndicator {
  constructor(
    private readonly pool: QbittorrentPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    if (this.pool.single) {
      const { client, settings } = this.pool.only;
      try {
        const version = await this.pool.only.call((qbittorrent) => qbittorrent.getVersion());
        return indicator.up({
          url: client.baseUrl,
          version: version.app,
          webApiVersion: version.webApi,
          risky_settings: await settings.risks().catch(() => []),
        });
      } catch (error) {
        return indicator.down({ url: client.baseUrl, message: messageOf(error) });
      }
    }
    const instances = await Promise.all(this.pool.instances.map((i) => this.describe(i)));
    return instances.some((instance) => instance.status === 'up')
      ? indicator.up({ instances })
      : indicator.down({ message: 'no qBittorrent can take adds', instances });
  }

  private async describe(instance: QbittorrentInstance): Promise<InstanceReadiness> {
    const { label, view, health, settings } = instance;
    const described = (status: 'up' | 'down', extra: Partial<InstanceReadiness> = {}) => ({
      instance: label,
      status,
      version: instance.session.version?.app ?? null,
      webApiVersion: instance.session.version?.webApi ?? null,
      free_space_on_disk: view.freeSpaceOnDisk,
      room: view.room,
      incomplete_torrents: view.incomplete,
      ...extra,
    });
    if (health.isDown) return described('down', { message: health.reason ?? 'down' });
    try {
      await instance.call((client) => client.getVersion());
      return described('up', { risky_settings: await settings.risks().catch(() => []) });
    } catch (error) {
      return described('down', { message: messageOf(error) });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
