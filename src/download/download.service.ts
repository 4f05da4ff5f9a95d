import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { parseMagnet } from '../qbittorrent/magnet.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type { AddMagnetOptions, AddMagnetResult } from '../qbittorrent/qbittorrent.types.js';
import { RetryService } from '../qbittorrent/retry.service.js';
import { linkTag } from './link-tag.js';

@Injectable()
export class DownloadService {
  private readonly logger = new Logger(DownloadService.name);

  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Hands a magnet link to qBittorrent, retrying transient failures, and records `linkId` on the
   * torrent as the tag `link:<id>`. Resolves once qBittorrent holds the torrent; throws
   * InvalidMagnetError (nothing sent) or RetryFailedError.
   */
  async add(
    linkId: number | undefined,
    url: string,
    options: AddMagnetOptions = {},
  ): Promise<AddMagnetResult> {
    const magnet = parseMagnet(url);
    const link = linkId === undefined ? '-' : String(linkId);
    const tags = linkId === undefined ? options.tags : [...(options.tags ?? []), linkTag(linkId)];
    try {
      const result = await this.retry.execute(
        () => this.client.addMagnet(magnet.url, { ...options, tags }),
        {
          label: `adding torrent ${magnet.hash} to qBittorrent`,
          operation: 'add',
        },
      );
      // qBittorrent ignores the options of a torrent it already holds: the link is tagged apart.
      if (result.alreadyPresent && linkId !== undefined) {
        await this.retry.execute(() => this.client.addTags(result.hash, [linkTag(linkId)]), {
          label: `tagging torrent ${result.hash} with its link_id`,
          operation: 'tag',
        });
      }
      const note = result.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`link_id=${link} hash=${result.hash} accepted${note}`);
      this.metrics.countDownload('accepted');
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`link_id=${link} hash=${magnet.hash} error: ${reason}`);
      this.metrics.countDownload('error');
      throw error;
    }
  }
}
