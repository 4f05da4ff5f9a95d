import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import type { AppConfig, RetryConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { capitalize, RetryAbortedError, RetryFailedError } from './retry.errors.js';
import { isTransient } from './transient.js';

export interface RetryOptions {
  /** What is being tried, for logs and the final error: "adding torrent abc to qBittorrent". */
  label: string;
  /** A short fixed name for metrics ("add", "status"...): never a hash or an address. */
  operation: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Upper bound of the doubling delay. */
  maxDelayMs?: number;
  /** Which failures are worth another attempt; by default those marked transient. */
  shouldRetry?: (error: unknown) => boolean;
  /** Aborting stops the waiting between attempts and fails with RetryAbortedError. */
  signal?: AbortSignal;
}

/**
 * Runs an operation until it succeeds, with exponential backoff between attempts (base, 2x base,
 * 4x base...). Knows nothing of what it retries: the error says whether it is transient.
 */
@Injectable()
export class RetryService {
  private readonly logger = new Logger(RetryService.name);
  private readonly defaults: RetryConfig;

  private readonly retries: Counter<'operation'>;

  constructor(config: ConfigService<AppConfig, true>, metrics: MetricsService) {
    this.defaults = config.get('retry', { infer: true });
    this.retries = metrics.counter({
      name: 'downloader_retries_total',
      help: 'Attempts repeated after a transient failure, by operation',
      labelNames: ['operation'] as const,
    });
  }

  /** The wait before attempt `attempt + 1`. */
  delayAfter(attempt: number, baseDelayMs: number, maxDelayMs = Infinity): number {
    return Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);
  }

  async execute<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
    const maxAttempts = options.maxAttempts ?? this.defaults.maxAttempts;
    const baseDelayMs = options.baseDelayMs ?? this.defaults.baseDelayMs;
    const shouldRetry = options.shouldRetry ?? isTransient;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new RetryAbortedError(options.label);
      try {
        return await operation(attempt);
      } catch (error) {
        if (options.signal?.aborted) throw new RetryAbortedError(options.label);
        if (!shouldRetry(error)) throw new RetryFailedError(options.label, attempt, false, error);
        if (attempt >= maxAttempts) throw new RetryFailedError(options.label, attempt, true, error);
        const delayMs = this.delayAfter(attempt, baseDelayMs, options.maxDelayMs);
        this.retries.inc({ operation: options.operation });
        const limit = Number.isFinite(maxAttempts) ? `/${maxAttempts}` : '';
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `${capitalize(options.label)}: attempt ${attempt}${limit} failed (${reason}); retrying in ${delayMs} ms`,
        );
        await sleep(delayMs, options.signal, options.label);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RetryAbortedError(label));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
