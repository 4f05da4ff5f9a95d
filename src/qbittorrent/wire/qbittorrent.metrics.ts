import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service.js';

export type LoginOutcome = 'success' | 'refused' | 'failed';

/**
 * What the service's calls to each qBittorrent cost and how its logins went, by instance
 * (`host:port`, never with credentials). What the pool knows of each instance is in PoolMetrics.
 */
@Injectable()
export class QbittorrentMetrics {
  readonly requests: Histogram<'qbittorrent' | 'operation' | 'status'>;
  readonly logins: Counter<'qbittorrent' | 'outcome'>;

  constructor(metrics: MetricsService) {
    this.requests = metrics.histogram({
      name: 'downloader_qbittorrent_request_duration_seconds',
      help: 'Calls to the qBittorrent WebUI API, by instance, operation (API path) and HTTP status (or "error")',
      labelNames: ['qbittorrent', 'operation', 'status'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.logins = metrics.counter({
      name: 'downloader_qbittorrent_logins_total',
      help: 'Logins to qBittorrent, by instance and outcome (refused: bad credentials or banned; failed: no usable answer)',
      labelNames: ['qbittorrent', 'outcome'] as const,
    });
  }
}
