import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import type { QbittorrentInstance } from './qbittorrent-instance.js';

export type LoginOutcome = 'success' | 'refused' | 'failed';

/**
 * What the service's calls to each qBittorrent cost and how its logins went, by instance
 * (`host:port`, never with credentials); and, for each instance, whether it is up and (with
 * several) its free space, its room and its incomplete torrents.
 */
@Injectable()
export class QbittorrentMetrics {
  readonly requests: Histogram<'instance' | 'operation' | 'status'>;
  readonly logins: Counter<'instance' | 'outcome'>;

  constructor(private readonly metrics: MetricsService) {
    this.requests = metrics.histogram({
      name: 'downloader_qbittorrent_request_duration_seconds',
      help: 'Calls to the qBittorrent WebUI API, by instance, operation (API path) and HTTP status (or "error")',
      labelNames: ['instance', 'operation', 'status'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.logins = metrics.counter({
      name: 'downloader_qbittorrent_logins_total',
      help: 'Logins to qBittorrent, by instance and outcome (refused: bad credentials or banned; failed: no usable answer)',
      labelNames: ['instance', 'outcome'] as const,
    });
  }

  /** Gauges of each instance, read when /metrics is scraped; room and the rest with several only. */
  observeInstances(instances: readonly QbittorrentInstance[], inView: boolean): void {
    for (const { label } of instances) {
      for (const outcome of ['success', 'refused', 'failed'] as const) {
        this.logins.inc({ instance: label, outcome }, 0);
      }
    }
    const gauge = (
      name: string,
      help: string,
      read: (instance: QbittorrentInstance) => number | null,
    ) =>
      this.metrics.gauge({
        name,
        help,
        labelNames: ['instance'] as const,
        collect() {
          this.reset();
          for (const instance of instances) {
            const value = read(instance);
            if (value !== null) this.set({ instance: instance.label }, value);
          }
        },
      });
    gauge(
      'downloader_qbittorrent_up',
      'Whether the qBittorrent instance answers (1) or is down (0)',
      (instance) => (instance.health.isDown ? 0 : 1),
    );
    if (!inView) return;
    gauge(
      'downloader_qbittorrent_free_space_bytes',
      'Free space on the default save path of the instance, as it last reported it',
      (instance) => instance.view.freeSpaceOnDisk,
    );
    gauge(
      'downloader_qbittorrent_room_bytes',
      'Free space minus what its incomplete torrents still need: what placement weighs',
      (instance) => instance.view.room,
    );
    gauge(
      'downloader_qbittorrent_incomplete_torrents',
      'Incomplete torrents of the instance, adds in flight included',
      (instance) => instance.view.incomplete,
    );
  }
}
