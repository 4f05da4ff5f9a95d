import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import type { MagnetLink } from '../qbittorrent/magnet.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import { QbittorrentSettings } from '../qbittorrent/qbittorrent-settings.reader.js';
import type {
  AddAnswer,
  AddedTorrent,
  AddOptions,
  TorrentInfo,
  TorrentQuery,
} from '../qbittorrent/qbittorrent.types.js';
import { RetryService } from '../retry/retry.service.js';
import type { TorrentMetainfo } from '../torrent-file/torrent-file.js';
import { HASHES_PER_QBITTORRENT_CALL } from './downloads.limits.js';
import { IncomingAdds } from './incoming-adds.js';
import { hasMetadata } from './torrent-status.js';
import { TorrentFileCache } from './torrent-file-cache.js';
import { type TorrentCondition, TorrentWatch } from './torrent-watch.js';

/** File lists read at once from qBittorrent: enough to keep it busy, few enough not to queue on it. */
const FILES_CONCURRENCY = 8;

/** Torrents with the file names of those whose metadata qBittorrent has (relative to save_path). */
export interface TorrentsWithFiles {
  torrents: TorrentInfo[];
  files: Map<string, readonly string[]>;
}

/**
 * The torrents qBittorrent holds, for the downloads feature: every call through the client with
 * its retries, the one "look again until qBittorrent shows it" (TorrentWatch), the file names
 * already known (TorrentFileCache) and the settings that decide whether a torrent can find peers.
 * The services of the feature reach qBittorrent through it alone.
 */
@Injectable()
export class TorrentRepository {
  private readonly watch: TorrentWatch = new TorrentWatch(
    (hashes) => this.list({ hashes }),
    // Add requests the server holds that do not wait here yet: each will soon be looked for. (The
    // items of a batch are looked for together once all are sent: none is on its way alone.)
    (): number => this.incoming.inProgress - this.watch.size,
  );
  private readonly fileCache = new TorrentFileCache();

  constructor(
    private readonly client: QbittorrentClient,
    private readonly settings: QbittorrentSettings,
    private readonly retry: RetryService,
    private readonly incoming: IncomingAdds,
  ) {
    incoming.onAnswered(() => this.watch.schedule());
  }

  /** Torrents matching a query; at most 1000 hashes per call (an empty list asks nothing). */
  async list(query: TorrentQuery): Promise<TorrentInfo[]> {
    if (query.hashes === undefined) return this.listOnce(query);
    const lists: TorrentInfo[][] = [];
    for (let i = 0; i < query.hashes.length; i += HASHES_PER_QBITTORRENT_CALL) {
      const hashes = query.hashes.slice(i, i + HASHES_PER_QBITTORRENT_CALL);
      lists.push(await this.listOnce({ ...query, hashes }));
    }
    return lists.flat();
  }

  /** One torrent, or undefined when qBittorrent does not hold it. */
  async find(hash: string): Promise<TorrentInfo | undefined> {
    const [torrent] = await this.list({ hashes: [hash] });
    return torrent;
  }

  /**
   * Torrents matching a query and the file names of each whose metadata qBittorrent has: from
   * the cache where the listing shows no change, else one `torrents/files` call each. What the
   * listing shows gone is forgotten. `keep` filters the torrents before their files are read.
   */
  async listWithFiles(
    query: TorrentQuery,
    keep: (torrent: TorrentInfo) => boolean = () => true,
  ): Promise<TorrentsWithFiles> {
    const listed = await this.list(query);
    const held = new Set(listed.map((torrent) => torrent.hash));
    if (query.hashes !== undefined) {
      this.fileCache.forget(query.hashes.filter((hash) => !held.has(hash)));
    } else if (query.category === undefined && query.tag === undefined) {
      this.fileCache.retainOnly(held);
    }
    const torrents = listed.filter(keep);
    return { torrents, files: await this.filesOf(torrents) };
  }

  /**
   * Which of `hashes` qBittorrent lists, looking again (for about 1 s) for those it does not yet:
   * it lists a new torrent a moment after it answered the add.
   */
  lookUntilListed(hashes: string[]): Promise<Set<string>> {
    return this.watch.listed(hashes);
  }

  /**
   * The torrent once `wanted` holds for it (or it is gone), looking again with growing waits
   * until `waits` run out: qBittorrent applies a change on its next refresh.
   */
  async lookUntil(
    hash: string,
    wanted: (torrent: TorrentInfo) => boolean,
    waits: readonly number[],
  ): Promise<TorrentInfo | undefined> {
    const condition: TorrentCondition = (torrent) => torrent === undefined || wanted(torrent);
    return (await this.watch.until([hash], condition, waits)).get(hash);
  }

  /** Adds a magnet, retrying transient failures; a refusal is a success if qBittorrent lists it. */
  addMagnet(link: MagnetLink, options: AddOptions, signal?: AbortSignal): Promise<AddedTorrent> {
    return this.retry.execute(async () => this.held(await this.client.addMagnet(link, options)), {
      label: `adding torrent ${link.hash} to qBittorrent`,
      operation: 'add',
      signal,
    });
  }

  /** Uploads a .torrent file, as addMagnet. */
  addTorrentFile(
    torrent: TorrentMetainfo,
    options: AddOptions,
    signal?: AbortSignal,
  ): Promise<AddedTorrent> {
    return this.retry.execute(
      async () => this.held(await this.client.addTorrentFile(torrent, options)),
      { label: `adding torrent ${torrent.hash} to qBittorrent`, operation: 'add', signal },
    );
  }

  addTags(hash: string, tags: string[], signal?: AbortSignal): Promise<void> {
    return this.retry.execute(() => this.client.addTags(hash, tags), {
      label: `tagging torrent ${hash} with its link_id`,
      operation: 'tag',
      signal,
    });
  }

  pause(hash: string): Promise<void> {
    return this.retry.execute(() => this.client.pause(hash), {
      label: `pausing torrent ${hash}`,
      operation: 'pause',
    });
  }

  resume(hash: string): Promise<void> {
    return this.retry.execute(() => this.client.resume(hash), {
      label: `resuming torrent ${hash}`,
      operation: 'resume',
    });
  }

  /** Removes a torrent, with or without its files. */
  async delete(hash: string, deleteFiles: boolean): Promise<void> {
    await this.retry.execute(() => this.client.deleteMany([hash], deleteFiles), {
      label: `deleting torrent ${hash}`,
      operation: 'delete',
    });
    this.fileCache.forget([hash]);
  }

  /** Removes torrents in one call, keeping their files. */
  async cancel(hashes: string[]): Promise<void> {
    await this.retry.execute(() => this.client.deleteMany(hashes, false), {
      label: `cancelling ${hashes.length} torrent${hashes.length === 1 ? '' : 's'}`,
      operation: 'cancel',
    });
    this.fileCache.forget(hashes);
  }

  /** Torrents whose file names are kept: at most one per torrent qBittorrent holds. */
  get cachedFileLists(): number {
    return this.fileCache.size;
  }

  /**
   * Whether qBittorrent is known to find peers for a magnet only through its trackers (DHT off);
   * false when its settings cannot be read.
   */
  dhtOff(): Promise<boolean> {
    return this.settings.dhtOff();
  }

  /** After an add qBittorrent did not answer as done: present in its list means it held it. */
  private async held(answer: AddAnswer): Promise<AddedTorrent> {
    if (answer.added) return { hash: answer.hash, alreadyPresent: false };
    if ((await this.lookUntilListed([answer.hash])).has(answer.hash)) {
      return { hash: answer.hash, alreadyPresent: true };
    }
    throw answer.refusal;
  }

  private listOnce(query: TorrentQuery): Promise<TorrentInfo[]> {
    return this.retry.execute(() => this.client.getTorrents(query), {
      label: 'reading torrents from qBittorrent',
      operation: 'status',
    });
  }

  private async filesOf(torrents: TorrentInfo[]): Promise<Map<string, readonly string[]>> {
    const files = new Map<string, readonly string[]>();
    const limit = pLimit(FILES_CONCURRENCY);
    const unknown: TorrentInfo[] = [];
    for (const torrent of torrents.filter(hasMetadata)) {
      const known = this.fileCache.get(torrent);
      if (known === undefined) unknown.push(torrent);
      else files.set(torrent.hash, known);
    }
    await Promise.all(
      unknown.map((torrent) =>
        limit(async () => {
          const read = await this.retry.execute(() => this.client.getFiles(torrent.hash), {
            label: `reading the files of torrent ${torrent.hash}`,
            operation: 'files',
          });
          const names = (read ?? []).map((file) => file.name);
          // None: removed between the two calls, or its metadata not there after all (a stopped
          // magnet): nothing to keep.
          if (names.length > 0) this.fileCache.set(torrent, names);
          files.set(torrent.hash, names);
        }),
      ),
    );
    return files;
  }
}
