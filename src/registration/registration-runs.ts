import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config.js';
import { RetryAbortedError } from '../retry/retry.errors.js';
import { type RegistrationCause, RegistrationService } from './registration.service.js';

/**
 * The registrations with the core service, one at a time, each retried until accepted: one at
 * start-up, and one each time a qBittorrent that was down answers again. The core re-sends what
 * ended `failed` or `downloader_error` only when a downloader registers (rust-bangumi's
 * `retry_failed_downloads`), so without the second, what it sent during an outage would stay
 * failed. A recovery within a minute (REGISTRATION_RECOVERY_INTERVAL_MS) of the last registration
 * for one is put off to the end of that minute: a burst of them leads to one more, at its end.
 * Nothing runs while all is steady.
 */
@Injectable()
export class RegistrationRuns {
  private readonly logger = new Logger('Registration');
  private readonly shutdown = new AbortController();
  private running: Promise<void> | null = null;
  private lastForRecovery = -Infinity;
  private later: NodeJS.Timeout | undefined;
  /** A recovery came while a registration was under way: one more once it is done. */
  private again = false;

  private readonly interval: number;

  constructor(
    private readonly registration: RegistrationService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.interval = config.get('registration', { infer: true }).recoveryIntervalMs;
  }

  get enabled(): boolean {
    return this.registration.enabled;
  }

  /** The registration at start-up. */
  start(): void {
    this.run('startup');
  }

  /** `instance` (as messages name it) answers again after it was down. */
  recovered(instance: string): void {
    if (!this.enabled || this.shutdown.signal.aborted) return;
    const wait = this.lastForRecovery + this.interval - Date.now();
    const when =
      this.running !== null
        ? 'once the registration under way is done'
        : wait > 0
          ? `in ${Math.ceil(wait / 1000)} s (at most one per REGISTRATION_RECOVERY_INTERVAL_MS)`
          : 'now';
    this.logger.log(
      `${instance} answers again: registering with the core so that it re-sends what failed (${when})`,
    );
    this.request();
  }

  /** Ends the registration under way, and any to come, before the server closes. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    clearTimeout(this.later);
    await this.running;
  }

  private request(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    const wait = this.lastForRecovery + this.interval - Date.now();
    if (wait <= 0) {
      clearTimeout(this.later);
      this.later = undefined;
      this.run('recovery');
    } else if (this.later === undefined) {
      this.later = setTimeout(() => {
        this.later = undefined;
        this.request();
      }, wait);
      this.later.unref();
    }
  }

  private run(cause: RegistrationCause): void {
    if (!this.enabled || this.shutdown.signal.aborted) return;
    if (cause === 'recovery') this.lastForRecovery = Date.now();
    this.running = this.registration.registerUntilAccepted(this.shutdown.signal, cause).then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof RetryAbortedError)) {
          this.logger.error(`Registration stopped: ${(error as Error).message}`);
        }
      },
    );
    void this.running.then(() => {
      this.running = null;
      if (this.again && !this.shutdown.signal.aborted) {
        this.again = false;
        this.request();
      }
    });
  }
}
