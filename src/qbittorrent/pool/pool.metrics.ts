import { Injectable } from '@nestjs/common';
import { MetricsService } from '../../metrics/metrics.service.js';
import { QbittorrentMetrics } from '../wire/qbittorrent.metrics.js';
import type { PoolMember } from './pool-member.js';

/**
 * What the pool knows of each instance, as gauges read when /metrics is scraped: whether it is up
 * and, where the pool keeps it in view, its free space, its room and its incomplete torrents.
 */
@Injectable()
export class PoolMetrics {
  constructor(
    private readonly metrics: MetricsService,
    private readonly calls: QbittorrentMetrics,
  ) {}

  observe(members: readonly PoolMember[]): void {
    for (const { label } of members) {
      for (const outcome of ['success', 'refused', 'failed'] as const) {
        this.calls.logins.inc({ instance: label, outcome }, 0);
      }
    }
    const gauge = (name: string, help: string, read: (member: PoolMember) => number | null) =>
      this.metrics.gauge({
        name,
        help,
        labelNames: ['instance'] as const,
        collect() {
          this.reset();
          for (const member of members) {
            const value = read(member);
            if (value !== null) this.set({ instance: member.label }, value);
          }
        },
      });
    gauge(
      'downloader_qbittorrent_up',
      'Whether the qBittorrent instance answers (1) or is down (0)',
      (member) => (member.health.isDown ? 0 : 1),
    );
    gauge(
      'downloader_qbittorrent_draining',
      'Whether the instance is named in QBITTORRENT_DRAIN (1): it takes no new torrent',
      (member) => (member.draining ? 1 : 0),
    );
    if (members.every((member) => member.view === null)) return;
    gauge(
      'downloader_qbittorrent_free_space_bytes',
      'Free space on the default save path of the instance, as it last reported it',
      (member) => member.view?.freeSpaceOnDisk ?? null,
    );
    gauge(
      'downloader_qbittorrent_room_bytes',
      'Free space minus what its incomplete torrents still need: what placement weighs',
      (member) => member.view?.room ?? null,
    );
    gauge(
      'downloader_qbittorrent_incomplete_torrents',
      'Incomplete torrents of the instance, adds in flight included',
      (member) => (member.view === null ? null : member.view.incomplete + member.addsInFlight),
    );
  }
}
