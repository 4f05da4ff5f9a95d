import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type { AddMagnetOptions, AddMagnetResult } from '../qbittorrent/qbittorrent.types.js';
import { RetryFailedError, RetryService } from '../qbittorrent/retry.service.js';
import { TorrentFetchError } from '../torrent-file/torrent-fetch.error.js';
import { TorrentFetcher } from '../torrent-file/torrent-fetcher.js';
import type { TorrentFile } from '../torrent-file/torrent-file.js';
import type { DownloadLink } from './download-link.js';
import { linkTag } from './link-tag.js';

@Injectable()
export class DownloadService {
  private readonly logger = new Logger(DownloadService.name);

  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
    private readonly fetcher: TorrentFetcher,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Hands a link to qBittorrent (a .torrent URL is fetched first), retrying transient failures,
   * and records `linkId` on the torrent as the tag `link:<id>`. Resolves once qBittorrent holds
   * the torrent; throws TorrentFetchError (the file is not one we can use: nothing sent) or
   * RetryFailedError. `signal` abandons the waits between attempts (a batch out of time).
   */
  async add(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddMagnetOptions = {},
    signal?: AbortSignal,
  ): Promise<AddMagnetResult> {
    const id = linkId === undefined ? '-' : String(linkId);
    const tags = linkId === undefined ? options.tags : [...(options.tags ?? []), linkTag(linkId)];
    const what = link.kind === 'magnet' ? `hash=${link.hash}` : `url=${link.location}`;
    try {
      const result =
        link.kind === 'magnet'
          ? await this.retry.execute(() => this.client.addMagnet(link, { ...options, tags }), {
              label: `adding torrent ${link.hash} to qBittorrent`,
              operation: 'add',
              signal,
            })
          : await this.addTorrentFile(await this.fetch(link, signal), { ...options, tags }, signal);
      // qBittorrent ignores the options of a torrent it already holds: the link is tagged apart.
      if (result.alreadyPresent && linkId !== undefined) {
        await this.retry.execute(() => this.client.addTags(result.hash, [linkTag(linkId)]), {
          label: `tagging torrent ${result.hash} with its link_id`,
          operation: 'tag',
          signal,
        });
      }
      const note = result.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`link_id=${id} hash=${result.hash} accepted${note}`);
      this.metrics.countDownload('accepted');
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const refused = error instanceof TorrentFetchError;
      this.logger[refused ? 'warn' : 'error'](
        `link_id=${id} ${what} ${refused ? 'unsupported' : 'error'}: ${reason}`,
      );
      this.metrics.countDownload(refused ? 'unsupported' : 'error');
      throw error;
    }
  }

  /** The .torrent file behind a link; a failure that retrying cannot mend is thrown as it is. */
  private async fetch(
    link: Extract<DownloadLink, { kind: 'torrent-url' }>,
    signal?: AbortSignal,
  ): Promise<TorrentFile> {
    try {
      return await this.retry.execute(() => this.fetcher.fetch(link.url), {
        label: `fetching ${link.location}`,
        operation: 'fetch',
        signal,
      });
    } catch (error) {
      if (error instanceof RetryFailedError && error.cause instanceof TorrentFetchError) {
        if (!error.cause.transient) throw error.cause;
      }
      throw error;
    }
  }

  private addTorrentFile(
    torrent: TorrentFile,
    options: AddMagnetOptions,
    signal?: AbortSignal,
  ): Promise<AddMagnetResult> {
    return this.retry.execute(() => this.client.addTorrentFile(torrent, options), {
      label: `adding torrent ${torrent.hash} to qBittorrent`,
      operation: 'add',
      signal,
    });
  }
}
