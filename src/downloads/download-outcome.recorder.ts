import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import type { DownloadLink } from './download-link.js';
import { type DownloadFailure, type DownloadOutcome, failureOf } from './download-outcome.js';

/**
 * The one place where the outcome of an add is logged and counted, whoever decided it: the adder,
 * or the exception filter for a request refused before any work (body, validation, token).
 */
@Injectable()
export class DownloadOutcomeRecorder {
  private readonly logger = new Logger('Downloads');

  constructor(private readonly metrics: MetricsService) {}

  /** Logs and counts `outcome` (`error`: its cause, whose stack an unexpected failure logs). */
  record<T extends DownloadOutcome>(
    linkId: number | undefined,
    link: DownloadLink | null,
    outcome: T,
    error?: unknown,
  ): T {
    const id = `link_id=${linkId ?? '-'}`;
    this.metrics.countDownload(outcome.status);
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
