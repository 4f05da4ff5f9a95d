import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { firstValueFrom } from 'rxjs';
import type { AppConfig, RegistrationConfig } from '../config/app.config.js';
import { DOWNLOADS_ROUTES } from '../downloads/downloads.routes.js';
import { RetryService } from '../retry/retry.service.js';
import type { RegistrationPayload, RegistrationReceipt } from './core-service.types.js';
import { RegistrationFailedError } from './registration.errors.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** Registers this service with the core service, retrying with capped backoff until it succeeds. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);
  private readonly options: RegistrationConfig;

  constructor(
    private readonly http: HttpService,
    private readonly retry: RetryService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.options = config.get('registration', { infer: true });
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
  registerUntilAccepted(signal: AbortSignal): Promise<RegistrationReceipt> {
    return this.retry.execute(() => this.register(signal), {
      label: `registering with the core service at ${this.options.coreServiceUrl}`,
      operation: 'register',
      maxAttempts: Infinity,
      baseDelayMs: this.options.initialDelayMs,
      maxDelayMs: this.options.maxDelayMs,
      shouldRetry: () => true,
      signal,
    });
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
