import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { DownloadLink } from './download-link.js';
import {
  DOWNLOAD_STATUSES,
  type DownloadFailure,
  type DownloadOutcome,
  failureOf,
} from './download-outcome.js';

/**
 * The one place where the outcome of an add is logged and counted, whoever decided it: the adder,
 * or the exception filter for a request refused before any work (body, validation, token).
 */
@Injectable()
export class DownloadOutcomeRecorder {
  private readonly logger = new Logger('Downloads');
  private readonly outcomes: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.outcomes = metrics.counter({
      name: 'downloader_downloads_total',
      help: 'Downloads asked for (POST /download and each POST /downloads item), by outcome',
      labelNames: ['outcome'] as const,
    });
    for (const outcome of DOWNLOAD_STATUSES) this.outcomes.inc({ outcome }, 0);
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
      const note = outcome.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`${id} hash=${outcome.hash} accepted${note}`);
      if (outcome.warning !== undefined)
        this.logger.warn(`${id} hash=${outcome.hash}: ${outcome.warning}`);
      return outcome;
    }
    const subject =
      link === null ? '' : link.kind === 'magnet' ? ` hash=${link.hash}` : ` url=${link.location}`;
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
