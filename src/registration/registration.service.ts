import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import { firstValueFrom } from 'rxjs';
import type { AppConfig, RegistrationConfig } from '../config/app.config.js';
import { DOWNLOADS_ROUTES } from '../downloads/downloads.routes.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RetryService } from '../retry/retry.service.js';
import type { RegistrationPayload, RegistrationReceipt } from './core-service.types.js';
import { RegistrationFailedError } from './registration.errors.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** Why the service registers: it started, or a qBittorrent that was down answers again. */
export const REGISTRATION_CAUSES = ['startup', 'recovery'] as const;
export type RegistrationCause = (typeof REGISTRATION_CAUSES)[number];

/** Registers this service with the core service, retrying with capped backoff until it succeeds. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);
  private readonly options: RegistrationConfig;
  private readonly registrations: Counter<'cause'>;

  constructor(
    private readonly http: HttpService,
    private readonly retry: RetryService,
    config: ConfigService<AppConfig, true>,
    metrics: MetricsService,
  ) {
    this.options = config.get('registration', { infer: true });
    this.registrations = metrics.counter({
      name: 'downloader_registrations_total',
      help: 'Registrations the core service accepted, by cause (startup, recovery)',
      labelNames: ['cause'] as const,
    });
    for (const cause of REGISTRATION_CAUSES) this.registrations.inc({ cause }, 0);
  }

  get enabled(): boolean {
    return this.options.coreServiceUrl !== null;
  }

  payload(): RegistrationPayload {
    return {
      service_type: 'downloader',
      service_name: this.options.serviceName,
      host: this.options.serviceHost,
      port: this.options.servicePort,
      capabilities: {
        download_endpoint: DOWNLOADS_ROUTES.single,
        batch_download_endpoint: DOWNLOADS_ROUTES.batch,
        supported_download_types: ['magnet', 'torrent'],
      },
    };
  }

  /**
   * Tries until the core service accepts us or `signal` aborts (then rejects with RetryAbortedError).
   * Every failure is worth another try: the core may be starting, restarting or overloaded.
   */
  async registerUntilAccepted(
    signal: AbortSignal,
    cause: RegistrationCause = 'startup',
  ): Promise<RegistrationReceipt> {
    const receipt = await this.retry.execute(() => this.register(signal), {
      label: `registering with the core service at ${this.options.coreServiceUrl}`,
      operation: 'register',
      maxAttempts: Infinity,
      baseDelayMs: this.options.initialDelayMs,
      maxDelayMs: this.options.maxDelayMs,
      shouldRetry: () => true,
      signal,
    });
    this.registrations.inc({ cause });
    return receipt;
  }

  private async register(signal: AbortSignal): Promise<RegistrationReceipt> {
    const url = `${this.options.coreServiceUrl}/services/register`;
    try {
      const response = await firstValueFrom(
        this.http.post<RegistrationReceipt>(url, this.payload(), {
          signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
          proxy: false,
          validateStatus: (status) => status >= 200 && status < 300,
        }),
      );
      const receipt =
        typeof response.data === 'object' && response.data !== null ? response.data : {};
      this.logger.log(
        `Registered with the core service as "${this.options.serviceName}" ` +
          `(service_id=${String(receipt.service_id)}, registered_at=${String(receipt.registered_at)})`,
      );
      return receipt;
    } catch (error) {
      throw RegistrationFailedError.of(error);
    }
  }
}
