import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The label of a counted download: the three answers of POST /download. */
export type DownloadLabel = 'accepted' | 'unsupported' | 'error';
export type LoginOutcome = 'success' | 'refused' | 'failed';

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * that an application instance counts only what it did.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly downloads = new Counter({
    name: 'downloader_downloads_total',
    help: 'Downloads asked for (POST /download and each POST /downloads item), by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly qbittorrentRequests = new Histogram({
    name: 'downloader_qbittorrent_request_duration_seconds',
    help: 'Calls to the qBittorrent WebUI API, by operation (API path) and HTTP status (or "error")',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'downloader_retries_total',
    help: 'Attempts repeated after a transient failure, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly logins = new Counter({
    name: 'downloader_qbittorrent_logins_total',
    help: 'Logins to qBittorrent, by outcome (refused: bad credentials or banned; failed: no usable answer)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of ['accepted', 'unsupported', 'error'] as const)
      this.downloads.inc({ outcome }, 0);
    for (const outcome of ['success', 'refused', 'failed'] as const)
      this.logins.inc({ outcome }, 0);
  }

  countDownload(outcome: DownloadLabel): void {
    this.downloads.inc({ outcome });
  }

  countLogin(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }
}
