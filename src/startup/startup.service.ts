import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import { QbittorrentSettings } from '../qbittorrent/qbittorrent-settings.reader.js';
import { RetryAbortedError } from '../retry/retry.errors.js';
import { RegistrationService } from '../registration/registration.service.js';

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
    private readonly client: QbittorrentClient,
    private readonly settings: QbittorrentSettings,
    private readonly registrationService: RegistrationService,
  ) {}

  onApplicationBootstrap(): void {
    this.client
      .login()
      .then(() => this.auditSettings())
      .catch((error: unknown) => {
        this.logger.warn(
          `qBittorrent login at start-up failed: ${(error as Error).message}; ` +
            'the next request will try again',
        );
      });

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

  /** One line naming the qBittorrent settings that can lose downloads (also in /health/ready). */
  private async auditSettings(): Promise<void> {
    const risks = await this.settings.risks().catch(() => null);
    if (risks === null) return;
    if (risks.length === 0) {
      this.logger.log('qBittorrent settings: none of those known to lose downloads');
      return;
    }
    this.logger.warn(
      `qBittorrent settings that can lose downloads: ${risks.map((r) => `${r.setting} (${r.risk})`).join('; ')}`,
    );
  }

  /** Stops the registration loop, including a request in flight, before the server closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await this.registration;
  }
}
