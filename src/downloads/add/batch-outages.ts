import { AllInstancesFailedError } from '../../qbittorrent/pool/pool.errors.js';
import { isInstanceOutage } from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import type { DownloadLink } from './download-link.js';
import type { DownloadFailure } from './download-outcome.js';

/** Why the items that need what is down fail: the first failure's words and category. */
export type Outage = Pick<DownloadFailure, 'error' | 'category'>;

/**
 * What one batch has learnt is down (qBittorrent, or a host serving .torrent files), and why: the
 * items still waiting that need it fail at once with that reason, instead of each retrying.
 */
export class BatchOutages {
  private readonly down = new Map<string, Outage>();

  /** Why `link` cannot be added now, or undefined. */
  reasonFor(link: DownloadLink): Outage | undefined {
    return this.down.get(QBITTORRENT) ?? this.down.get(dependencyOf(link));
  }

  /** Learns from an item's failure (`failure`, from `error`) whether something every item needs is down. */
  learn(error: unknown, link: DownloadLink, failure: Outage): void {
    const outage = outageOf(error, link);
    if (outage !== null && !this.down.has(outage)) {
      this.down.set(outage, { error: failure.error, category: failure.category });
    }
  }
}

const QBITTORRENT = 'qbittorrent';

function dependencyOf(link: DownloadLink): string {
  return link.kind === 'magnet' ? QBITTORRENT : `host ${link.url.host}`;
}

function outageOf(error: unknown, link: DownloadLink): string | null {
  // Among several qBittorrents an item fails over from one that is down: only all down is an outage.
  if (error instanceof AllInstancesFailedError) return QBITTORRENT;
  if (!(error instanceof RetryFailedError)) return null;
  if (isInstanceOutage(error.cause)) return QBITTORRENT;
  if (error.cause instanceof TorrentFetchError && error.exhausted) return dependencyOf(link);
  return null;
}
