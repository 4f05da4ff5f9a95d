import { Injectable } from '@nestjs/common';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { RetryService } from '../../retry/retry.service.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import { TorrentFetcher } from '../../torrent-file/torrent-fetcher.js';
import type { TorrentMetainfo } from '../../torrent-file/torrent-file.js';
import { linkTag } from '../link-tag.js';
import { type SentAdd, TorrentRepository } from '../torrents/torrent.repository.js';
import type { AddRequest } from './add-item.js';
import type { DownloadLink } from './download-link.js';

/** The first stage of an add: the link handed to qBittorrent, where the pool places it. */
@Injectable()
export class AddSending {
  constructor(
    private readonly torrents: TorrentRepository,
    private readonly retry: RetryService,
    private readonly fetcher: TorrentFetcher,
  ) {}

  /**
   * Sends the link (a .torrent URL fetched first, retrying transient failures), with its link_id as
   * the tag `link:<id>`. `signal` abandons the waits between attempts.
   */
  async send(request: AddRequest, signal?: AbortSignal): Promise<SentAdd> {
    const { link, linkId, options } = request;
    const tags = linkId === undefined ? options.tags : [...(options.tags ?? []), linkTag(linkId)];
    const torrent =
      link.kind === 'magnet'
        ? ({ kind: 'magnet', link } as const)
        : ({ kind: 'file', file: await this.fetch(link, signal) } as const);
    return this.torrents.send(torrent, { ...options, tags }, signal);
  }

  /** The .torrent file behind a link; a failure that retrying cannot mend is thrown as it is. */
  private async fetch(
    link: Extract<DownloadLink, { kind: 'torrent-url' }>,
    signal?: AbortSignal,
  ): Promise<TorrentMetainfo> {
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
}
