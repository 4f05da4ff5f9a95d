import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';

/**
 * How long the file names of a torrent are trusted without a sign of change. qBittorrent signals
 * no rename of a file inside a multi-file torrent (no field of `torrents/info` or `sync/maindata`
 * moves): such a rename shows within this time. Every other change shows at once (see signature).
 */
export const FILE_NAMES_MAX_AGE_MS = 60 * 60 * 1000;
/** A bound on memory whatever happens: entries beyond it go, oldest first. */
export const MAX_CACHED_TORRENTS = 100_000;

interface Entry {
  /** The instance its names were read from. */
  label: string;
  signature: string;
  /** Relative to the save path, as `torrents/files` names them. */
  names: readonly string[];
  fetchedAt: number;
}

/**
 * What in a torrent's listing moves when its file names may have: `added_on` (removed and added
 * again), `content_path` (a single-file torrent's file or a root folder renamed, the torrent
 * moved) and `completion_on` (completed: the core takes the files then, so they are read afresh).
 */
function signatureOf(torrent: TorrentInfo): string {
  return `${torrent.added_on}|${torrent.completion_on}|${torrent.content_path}`;
}

/**
 * The file names of each torrent whose metadata qBittorrent has, kept while its listing shows no
 * sign of change: a repeated poll asks `torrents/files` only for torrents new to it. One entry per
 * torrent the qBittorrents hold, noting the instance it was read from; an entry goes when its
 * torrent is seen gone.
 */
export class TorrentFileCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The names known for this listing of the torrent, or undefined when they must be read. */
  get(torrent: TorrentInfo): readonly string[] | undefined {
    const entry = this.entries.get(torrent.hash);
    if (entry === undefined) return undefined;
    if (
      entry.signature !== signatureOf(torrent) ||
      this.now() - entry.fetchedAt > FILE_NAMES_MAX_AGE_MS
    ) {
      this.entries.delete(torrent.hash);
      return undefined;
    }
    return entry.names;
  }

  set(label: string, torrent: TorrentInfo, names: readonly string[]): void {
    this.entries.delete(torrent.hash); // re-inserted last: the oldest go first past the bound
    this.entries.set(torrent.hash, {
      label,
      signature: signatureOf(torrent),
      names,
      fetchedAt: this.now(),
    });
    if (this.entries.size > MAX_CACHED_TORRENTS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Forgets torrents qBittorrent no longer holds. */
  forget(hashes: Iterable<string>): void {
    for (const hash of hashes) this.entries.delete(hash);
  }

  /**
   * Keeps, of the torrents read from the instances that gave a complete listing (`listed`), only
   * those they hold (`held`).
   */
  retainOnly(listed: ReadonlySet<string>, held: ReadonlySet<string>): void {
    for (const [hash, { label }] of this.entries) {
      if (listed.has(label) && !held.has(hash)) this.entries.delete(hash);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
