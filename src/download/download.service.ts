import { Injectable, Logger } from '@nestjs/common';
import { parseMagnet } from '../qbittorrent/magnet.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type { AddMagnetOptions, AddMagnetResult } from '../qbittorrent/qbittorrent.types.js';
import { RetryService } from '../qbittorrent/retry.service.js';

@Injectable()
export class DownloadService {
  private readonly logger = new Logger(DownloadService.name);

  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
  ) {}

  /**
   * Hands a magnet link to qBittorrent, retrying transient failures. Resolves once qBittorrent
   * holds the torrent; throws InvalidMagnetError (nothing sent) or RetryFailedError.
   */
  async add(linkId: number, url: string, options: AddMagnetOptions = {}): Promise<AddMagnetResult> {
    const magnet = parseMagnet(url);
    try {
      const result = await this.retry.execute(() => this.client.addMagnet(magnet.url, options), {
        label: `adding torrent ${magnet.hash} to qBittorrent`,
      });
      const note = result.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`link_id=${linkId} hash=${result.hash} accepted${note}`);
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`link_id=${linkId} hash=${magnet.hash} error: ${reason}`);
      throw error;
    }
  }
}
