import { Injectable } from '@nestjs/common';
import { MetricsService } from '../../metrics/metrics.service.js';
import { QbittorrentMetrics } from '../wire/qbittorrent.metrics.js';
import type { PoolMember } from './pool-member.js';

/** The statuses qBittorrent reports its connection in (`server_state.connection_status`). */
const CONNECTION_STATUSES = ['connected', 'firewalled', 'disconnected'] as const;

/**
 * What the pool knows of each instance, as gauges read when /metrics is scraped: whether it is up
 * and draining and, once it is kept in view (several; one from the first scrape on), its free
 * space, room, incomplete torrents, DHT nodes and connection status, plus the settings of its
 * that can lose downloads and its download slots, as last read (at most once a minute). Nothing
 * here waits for qBittorrent: a scrape reads what the background looks already know.
 */
@Injectable()
export class PoolMetrics {
  constructor(
    private readonly metrics: MetricsService,
    private readonly calls: QbittorrentMetrics,
  ) {}

  /** `keepInView` starts the views that only monitoring needs: called at the first scrape. */
  observe(members: readonly PoolMember[], keepInView: () => void): void {
    this.metrics.onFirstScrape(keepInView);
    for (const { label } of members) {
      for (const outcome of ['success', 'refused', 'failed'] as const) {
        this.calls.logins.inc({ qbittorrent: label, outcome }, 0);
      }
    }
    const gauge = (name: string, help: string, read: (member: PoolMember) => number | null) =>
      this.metrics.gauge({
        name,
        help,
        labelNames: ['qbittorrent'] as const,
        collect() {
          this.reset();
          for (const member of members) {
            const value = read(member);
            if (value !== null) this.set({ qbittorrent: member.label }, value);
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
    gauge(
      'downloader_qbittorrent_dht_nodes',
      'DHT nodes the instance is connected to (0: DHT off, or outbound UDP blocked)',
      (member) => member.view?.dhtNodes ?? null,
    );
    gauge(
      'downloader_qbittorrent_download_slots',
      'Downloads active at once with qBittorrent queueing on (-1: no limit); absent with queueing off',
      (member) => {
        const preferences = member.settingsKnown()?.preferences;
        return preferences?.queueing_enabled === true
          ? (preferences.max_active_downloads ?? -1)
          : null;
      },
    );
    this.metrics.gauge({
      name: 'downloader_qbittorrent_connection_status',
      help: 'The connection status the instance reports: 1 for the current one',
      labelNames: ['qbittorrent', 'status'] as const,
      collect() {
        this.reset();
        for (const { label, view } of members) {
          const current = view?.connectionStatus ?? null;
          if (current === null) continue;
          for (const status of CONNECTION_STATUSES) {
            this.set({ qbittorrent: label, status }, status === current ? 1 : 0);
          }
        }
      },
    });
    this.metrics.gauge({
      name: 'downloader_qbittorrent_risky_settings',
      help: 'Settings of the instance that can lose downloads, by a fixed name: 1 while set',
      labelNames: ['qbittorrent', 'setting'] as const,
      collect() {
        this.reset();
        for (const member of members) {
          for (const { key } of member.settingsKnown()?.risks ?? []) {
            this.set({ qbittorrent: member.label, setting: key }, 1);
          }
        }
      },
    });
  }
}
