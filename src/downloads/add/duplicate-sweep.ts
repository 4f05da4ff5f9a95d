import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { DuplicateSettlement } from './duplicate-settlement.js';

/**
 * Among several qBittorrents, a torrent an instance holds when it comes back while another holds it
 * too ends up held once, by DuplicateSettlement's rule. qBittorrent 4.2.5 can bring back, on its
 * next start, a torrent removed from it: the second copy a settlement removed (1 to 4 of 40 magnets
 * removed and then SIGKILLed, on the real binary; never on 4.5.2, 5.1.0 or 5.3.0). Each instance's
 * view is read in full when it comes back; only the torrents it shares are looked at.
 */
@Injectable()
export class DuplicateSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('Downloads');

  constructor(
    private readonly pool: QbittorrentPool,
    private readonly settlement: DuplicateSettlement,
  ) {}

  onApplicationBootstrap(): void {
    this.pool.onBack((label) => void this.sweep(label));
  }

  private async sweep(label: string): Promise<void> {
    const shared = this.pool.sharedWithOthers(label);
    if (shared.length === 0) return;
    this.logger.warn(
      `${this.pool.nameOf(label)} is back holding ${shared.length} torrent(s) another qBittorrent ` +
        'holds too: keeping one copy of each',
    );
    await this.settlement.settleShared(label, shared).catch((error: unknown) => {
      this.logger.warn(`keeping one copy of each failed: ${(error as Error).message}`);
    });
  }
}
