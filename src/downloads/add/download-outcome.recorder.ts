import { Injectable, Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { DownloadLink } from './download-link.js';
import {
  DOWNLOAD_STATUSES,
  type DownloadFailure,
  type DownloadOutcome,
  failureOf,
} from './download-outcome.js';
import { FAILURE_CATEGORIES } from './failure-category.js';

/**
 * The one place where the outcome of an add is logged and counted, whoever decided it: the adder,
 * or the exception filter for a request refused before any work (body, validation, token).
 */
@Injectable()
export class DownloadOutcomeRecorder {
  private readonly logger = new Logger('Downloads');
  private readonly outcomes: Counter<'outcome'>;
  private readonly failures: Counter<'reason'>;
  private readonly lastAccepted: Gauge;

  constructor(metrics: MetricsService) {
    this.outcomes = metrics.counter({
      name: 'downloader_downloads_total',
      help: 'Downloads asked for (POST /download and each POST /downloads item), by outcome',
      labelNames: ['outcome'] as const,
    });
    for (const outcome of DOWNLOAD_STATUSES) this.outcomes.inc({ outcome }, 0);
    // Every series from the start: an alert's increase() needs the 0 before the first failure.
    this.failures = metrics.counter({
      name: 'downloader_download_failures_total',
      help: 'Downloads not accepted (unsupported or error), by a fixed reason (docs/monitoring.md)',
      labelNames: ['reason'] as const,
    });
    for (const reason of FAILURE_CATEGORIES) this.failures.inc({ reason }, 0);
    // A timestamp, not "seconds since" (Prometheus's advice): the start, before the first accepted.
    this.lastAccepted = metrics.gauge({
      name: 'downloader_last_accepted_timestamp_seconds',
      help: 'When a download was last accepted (Unix seconds); the start of the service before the first',
    });
    this.lastAccepted.set(Date.now() / 1000);
  }

  /** Logs and counts `outcome` (`error`: its cause, whose stack an unexpected failure logs). */
  record<T extends DownloadOutcome>(
    linkId: number | undefined,
    link: DownloadLink | null,
    outcome: T,
    error?: unknown,
  ): T {
    const id = `link_id=${linkId ?? '-'}`;
    this.outcomes.inc({ outcome: outcome.status });
    if (outcome.status === 'accepted') {
      this.lastAccepted.set(Date.now() / 1000);
      const note = outcome.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`${id} hash=${outcome.hash} accepted${note}`);
      if (outcome.warning !== undefined)
        this.logger.warn(`${id} hash=${outcome.hash}: ${outcome.warning}`);
      return outcome;
    }
    const subject =
      link === null ? '' : link.kind === 'magnet' ? ` hash=${link.hash}` : ` url=${link.location}`;
    this.failures.inc({ reason: outcome.category });
    const line = `${id}${subject} ${outcome.status}: ${outcome.error}`;
    if (outcome.status === 'unsupported') this.logger.warn(line);
    else if (outcome.unexpected) this.logger.error(line, (error as Error | undefined)?.stack);
    else this.logger.error(line);
    return outcome;
  }

  /** A request refused before any work: recorded like the rest. */
  refuse(linkId: number | undefined, error: unknown): DownloadFailure {
    return this.record(linkId, null, failureOf(error), error);
  }
}
