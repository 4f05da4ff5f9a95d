import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import { RegistrationService } from '../registration/registration.service.js';
import { RetryAbortedError } from '../retry/retry.errors.js';

/**
 * At start-up: log in to qBittorrent and register with the core service, both in the background so
 * that neither a late qBittorrent nor a missing core service delays or stops the start.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StartupService.name);
  private readonly shutdown = new AbortController();
  private registration: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: QbittorrentPool,
    private readonly registrationService: RegistrationService,
  ) {}

  onApplicationBootstrap(): void {
    this.pool.connect();

    if (!this.registrationService.enabled) {
      this.logger.log('CORE_SERVICE_URL is empty: registration with the core service is off');
      return;
    }
    this.registration = this.registrationService.registerUntilAccepted(this.shutdown.signal).then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof RetryAbortedError)) {
          this.logger.error(`Registration stopped: ${(error as Error).message}`);
        }
      },
    );
  }

  /** Stops the registration loop, including a request in flight, before the server closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await this.registration;
  }
}
