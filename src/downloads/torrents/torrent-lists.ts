import pLimit from 'p-limit';
import { furtherAlong } from '../../qbittorrent/pool/ownership.js';
import type { Unreachable } from '../../qbittorrent/pool/pool.errors.js';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import type { TorrentInfo, TorrentQuery } from '../../qbittorrent/wire/qbittorrent.types.js';
import { HASHES_PER_QBITTORRENT_CALL } from '../downloads.limits.js';
import { TorrentFileCache } from './torrent-file-cache.js';
import { hasMetadata } from './torrent-state.js';

/** File lists read at once from qBittorrent: enough to keep it busy, few enough not to queue on it. */
const FILES_CONCURRENCY = 8;

/** What the qBittorrents list for a query. */
export interface TorrentListing {
  /** One entry per torrent; a torrent two instances hold (one came back after a failover) once, from the one further along. */
  torrents: TorrentInfo[];
  /** The instances that hold each listed torrent, the one of its entry first. */
  holders: ReadonlyMap<string, readonly string[]>;
  /** The instances that could not be asked (with several only: with one, its failure is thrown). */
  unreachable: Unreachable[];
}

/** A listing with the file names of each torrent whose metadata qBittorrent has (relative to save_path). */
export interface TorrentsWithFiles extends TorrentListing {
  files: Map<string, readonly string[]>;
}

/**
 * What the qBittorrents list: every one the pool lets us ask, in parallel, each asked once per
 * 1000 hashes, merged into one listing; and the file names of the torrents listed, read once and
 * kept while their listing shows no change (TorrentFileCache).
 */
export class TorrentLists {
  private readonly fileNames = new TorrentFileCache();

  constructor(private readonly pool: QbittorrentPool) {}

  async list(query: TorrentQuery): Promise<TorrentListing> {
    const { answers, unreachable } = await this.pool.onEach((label) => this.on(label, query));
    return { ...merge(answers), unreachable };
  }

  /**
   * Torrents matching a query and the file names of each whose metadata qBittorrent has: from the
   * cache where the listing shows no change, else one `torrents/files` call each. What the listing
   * shows gone is forgotten. `keep` filters the torrents before their files are read.
   */
  async withFiles(
    query: TorrentQuery,
    keep: (torrent: TorrentInfo) => boolean = () => true,
  ): Promise<TorrentsWithFiles> {
    const listing = await this.list(query);
    if (query.hashes !== undefined) {
      this.fileNames.forget(query.hashes.filter((hash) => !listing.holders.has(hash)));
    } else if (query.category === undefined && query.tag === undefined) {
      const unreachable = new Set(listing.unreachable.map(({ label }) => label));
      const answered = this.pool.instances.map(({ label }) => label);
      this.fileNames.retainOnly(
        new Set(answered.filter((label) => !unreachable.has(label))),
        new Set(listing.holders.keys()),
      );
    }
    const torrents = listing.torrents.filter(keep);
    return { ...listing, torrents, files: await this.filesOf(torrents, listing.holders) };
  }

  /** The torrents matching a query on the instance `label`, asked 1000 hashes a call at most. */
  async on(label: string, query: TorrentQuery): Promise<TorrentInfo[]> {
    const list = (part: TorrentQuery) =>
      this.pool.call(label, (client) => client.getTorrents(part), {
        what: `reading torrents from ${this.pool.nameOf(label)}`,
        operation: 'status',
      });
    let torrents: TorrentInfo[];
    if (query.hashes === undefined) {
      torrents = await list(query);
    } else {
      const lists: TorrentInfo[][] = [];
      for (let i = 0; i < query.hashes.length; i += HASHES_PER_QBITTORRENT_CALL) {
        lists.push(
          await list({ ...query, hashes: query.hashes.slice(i, i + HASHES_PER_QBITTORRENT_CALL) }),
        );
      }
      torrents = lists.flat();
    }
    // What it lists is its own from now on; what it does not list may be on its way (qBittorrent
    // lists a new torrent late): removals are learnt from its maindata and from our own removals.
    this.pool.listed(label, torrents);
    return torrents;
  }

  /** Torrents removed: their file names go. */
  forget(hashes: readonly string[]): void {
    this.fileNames.forget(hashes);
  }

  /** Torrents whose file names are kept: at most one per torrent the qBittorrents hold. */
  get cachedFileLists(): number {
    return this.fileNames.size;
  }

  private async filesOf(
    torrents: TorrentInfo[],
    holders: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, readonly string[]>> {
    const files = new Map<string, readonly string[]>();
    const limit = pLimit(FILES_CONCURRENCY);
    const unknown: TorrentInfo[] = [];
    for (const torrent of torrents) {
      if (!hasMetadata(torrent)) continue;
      const known = this.fileNames.get(torrent);
      if (known === undefined) unknown.push(torrent);
      else files.set(torrent.hash, known);
    }
    await Promise.all(
      unknown.map((torrent) =>
        limit(async () => {
          const label = holders.get(torrent.hash)?.[0] ?? this.pool.instances[0].label;
          const read = await this.pool.call(label, (client) => client.getFiles(torrent.hash), {
            what: `reading the files of torrent ${torrent.hash}`,
            operation: 'files',
          });
          const names = (read ?? []).map((file) => file.name);
          // None: removed between the two calls, or its metadata not there after all (a stopped
          // magnet): nothing to keep.
          if (names.length > 0) this.fileNames.set(label, torrent, names);
          files.set(torrent.hash, names);
        }),
      ),
    );
    return files;
  }
}

/** The answers of the instances as one listing: each torrent once, from the one further along. */
function merge(
  answers: { label: string; value: TorrentInfo[] }[],
): Omit<TorrentListing, 'unreachable'> {
  // One answer (one instance, or the only one that could be asked) has nothing to merge.
  if (answers.length === 1) {
    const [{ label, value }] = answers;
    const only = [label];
    return { torrents: value, holders: new Map(value.map((torrent) => [torrent.hash, only])) };
  }
  const best = new Map<string, TorrentInfo>();
  const holders = new Map<string, string[]>();
  for (const { label, value } of answers) {
    for (const torrent of value) {
      const current = best.get(torrent.hash);
      const labels = holders.get(torrent.hash) ?? [];
      if (current === undefined || furtherAlong(torrent, current)) {
        best.set(torrent.hash, torrent);
        labels.unshift(label);
      } else {
        labels.push(label);
      }
      holders.set(torrent.hash, labels);
    }
  }
  return { torrents: [...best.values()], holders };
}
