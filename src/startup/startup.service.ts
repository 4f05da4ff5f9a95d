import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import { RegistrationRuns } from '../registration/registration-runs.js';

/**
 * At start-up: log in to qBittorrent and register with the core service, both in the background so
 * that neither a late qBittorrent nor a missing core service delays or stops the start; and
 * register again whenever a qBittorrent that was down answers again, so that the core re-sends
 * what failed meanwhile.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StartupService.name);

  constructor(
    private readonly pool: QbittorrentPool,
    private readonly registrations: RegistrationRuns,
  ) {}

  onApplicationBootstrap(): void {
    this.pool.connect();

    if (!this.registrations.enabled) {
      this.logger.log('CORE_SERVICE_URL is empty: registration with the core service is off');
      return;
    }
    this.registrations.start();
    this.pool.onBack((label) => this.registrations.recovered(this.pool.nameOf(label)));
  }

  /** Stops the registrations, including a request in flight, before the server closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.registrations.stop();
  }
}
