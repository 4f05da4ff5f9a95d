import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import type { QbittorrentInstance } from '../qbittorrent/qbittorrent-instance.js';
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
    private readonly pool: QbittorrentPool,
    private readonly registrationService: RegistrationService,
  ) {}

  onApplicationBootstrap(): void {
    for (const instance of this.pool.instances) {
      instance
        .call((client) => client.login())
        .then(() => this.auditSettings(instance))
        .catch((error: unknown) => {
          this.logger.warn(
            `${this.name(instance)} login at start-up failed: ${(error as Error).message}; ` +
              (this.pool.single
                ? 'the next request will try again'
                : 'the others take its adds meanwhile'),
          );
        });
    }

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
  private async auditSettings(instance: QbittorrentInstance): Promise<void> {
    const risks = await instance.settings.risks().catch(() => null);
    if (risks === null) return;
    const name = this.name(instance);
    if (risks.length === 0) {
      this.logger.log(`${name} settings: none of those known to lose downloads`);
      return;
    }
    this.logger.warn(
      `${name} settings that can lose downloads: ${risks.map((r) => `${r.setting} (${r.risk})`).join('; ')}`,
    );
  }

  /** How a log line names a qBittorrent: by its address when there are several. */
  private name(instance: QbittorrentInstance): string {
    return this.pool.single ? 'qBittorrent' : `qBittorrent at ${instance.label}`;
  }

  /** Stops the registration loop, including a request in flight, before the server closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await this.registration;
  }
}
