import { Injectable } from '@nestjs/common';
import type { MagnetLink } from '../../qbittorrent/identity/magnet.js';
import { AddMayHaveReachedError } from '../../qbittorrent/pool/pool.errors.js';
import { type NewTorrent, QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import type { QbittorrentClient } from '../../qbittorrent/wire/qbittorrent.client.js';
import type {
  AddAnswer,
  AddOptions,
  TorrentInfo,
  TorrentQuery,
  TorrentUpload,
} from '../../qbittorrent/wire/qbittorrent.types.js';
import { HASHES_PER_QBITTORRENT_CALL } from '../downloads.limits.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { IncomingAdds } from './incoming-adds.js';
import { TorrentLists, type TorrentListing, type TorrentsWithFiles } from './torrent-lists.js';
import { type TorrentCondition, TorrentWatch } from './torrent-watch.js';

/** A torrent to add: a magnet, or a .torrent file with its size. */
export type TorrentToAdd =
  { kind: 'magnet'; link: MagnetLink } | { kind: 'file'; file: TorrentUpload & { size: number } };

/** What an add came to on the instance that took it, before its list confirms it. */
export type SentAdd = { label: string; hash: string } & (
  | {
      /** qBittorrent answered that it added it. */
      answer: 'added';
      /** Tags it ignores on an add (before WebAPI 2.6.2): to put on once it lists the torrent. */
      tagsLater?: string[];
    }
  /** It answered that it did not (`Fails.`, 409): it may hold the torrent already. */
  | { answer: 'refused'; refusal: Error }
  /** Sent whole and not answered, by an instance among several: it may have taken it. */
  | { answer: 'unanswered'; failure: AddMayHaveReachedError }
);

/**
 * The torrents the qBittorrents hold, for the downloads feature, which reaches them through it
 * alone: each call one call (the pool's, with its retries), one after the other, never one inside
 * another; listing (TorrentLists); adds, sent where the pool places them; the one "look again
 * until qBittorrent shows it" of each instance (TorrentWatch), shared by everyone waiting; and
 * pause, resume, delete and cancel.
 */
@Injectable()
export class TorrentRepository {
  private readonly lists: TorrentLists;
  private readonly watches = new Map<string, TorrentWatch>();

  constructor(
    private readonly pool: QbittorrentPool,
    private readonly incoming: IncomingAdds,
  ) {
    this.lists = new TorrentLists(pool);
    incoming.onAnswered(() => {
      for (const watch of this.watches.values()) watch.schedule();
    });
  }

  /**
   * The torrents matching a query on every qBittorrent that can be asked (see
   * QbittorrentPool.onEach for the one that cannot).
   */
  list(query: TorrentQuery): Promise<TorrentListing> {
    return this.lists.list(query);
  }

  /** The listing of one torrent: its entry (from the one further along) and who holds it. */
  find(hash: string): Promise<TorrentListing> {
    return this.lists.list({ hashes: [hash] });
  }

  /** A listing with the file names of each torrent (see TorrentLists.withFiles). */
  listWithFiles(
    query: TorrentQuery,
    keep?: (torrent: TorrentInfo) => boolean,
  ): Promise<TorrentsWithFiles> {
    return this.lists.withFiles(query, keep);
  }

  /**
   * Sends an add where the pool places it (the instance that holds the torrent, else the one with
   * the most room), failing over as the pool decides; retried as every call is. Answers what the
   * instance that took it answered; its list is still to confirm it.
   */
  async send(torrent: TorrentToAdd, options: AddOptions, signal?: AbortSignal): Promise<SentAdd> {
    const identity = torrent.kind === 'magnet' ? torrent.link : torrent.file;
    const target: NewTorrent = {
      hash: identity.hash,
      v1Hash: identity.v1Hash,
      size: torrent.kind === 'file' ? torrent.file.size : 0,
    };
    const add = (client: QbittorrentClient): Promise<AddAnswer> =>
      torrent.kind === 'magnet'
        ? client.addMagnet(torrent.link, options)
        : client.addTorrentFile(torrent.file, options);
    let attempts = 0;
    const what = (label: string) => `adding torrent ${target.hash} to ${this.pool.nameOf(label)}`;
    try {
      const { label, value: answer } = await this.pool.place(target, (label) => {
        attempts = 0;
        return this.pool.call(label, (client) => (attempts++, add(client)), {
          what: what(label),
          operation: 'add',
          signal,
        });
      });
      this.watchOf(label).schedule();
      if (!answer.added) {
        // A failure of the add, should its list not show the torrent: said as one.
        const refusal = new RetryFailedError(what(label), attempts, false, answer.refusal);
        return { label, hash: answer.hash, answer: 'refused', refusal };
      }
      // Ours from now on, its bytes against the instance's room, before its list shows it.
      this.pool.held(label, [answer.hash], target.size);
      return { label, hash: answer.hash, answer: 'added', tagsLater: answer.tagsLater };
    } catch (error) {
      if (!(error instanceof AddMayHaveReachedError)) throw error;
      return { label: error.label, hash: target.hash, answer: 'unanswered', failure: error };
    }
  }

  /**
   * Which of `hashes` the instance `label` lists, looking again (for about 1 s) for those it does
   * not yet: qBittorrent lists a new torrent a moment after it answered the add. Looks are shared
   * with everyone waiting on that instance at the same moment.
   */
  listed(label: string, hashes: string[]): Promise<Set<string>> {
    return this.watchOf(label).listed(hashes);
  }

  /**
   * The torrent on the instance `label` once `wanted` holds for it (or it is gone), looking again
   * with growing waits until `waits` run out: qBittorrent applies a change on its next refresh.
   */
  async lookUntil(
    label: string,
    hash: string,
    wanted: (torrent: TorrentInfo) => boolean,
    waits: readonly number[],
  ): Promise<TorrentInfo | undefined> {
    const condition: TorrentCondition = (torrent) => torrent === undefined || wanted(torrent);
    return (await this.watchOf(label).until([hash], condition, waits)).get(hash);
  }

  /** What the instance `label` lists of `hashes` now, in a look shared with others asking meanwhile. */
  async lookAt(label: string, hashes: string[]): Promise<TorrentInfo[]> {
    const seen = await this.watchOf(label).until(hashes, () => true, []);
    return [...seen.values()].filter((torrent): torrent is TorrentInfo => torrent !== undefined);
  }

  /**
   * What the instance `label` lists of `hashes`, asked once and not retried, 1000 hashes a call:
   * an answer that must come now or not at all.
   */
  async listOnce(label: string, hashes: string[]): Promise<TorrentInfo[]> {
    const lists: TorrentInfo[][] = [];
    for (let i = 0; i < hashes.length; i += HASHES_PER_QBITTORRENT_CALL) {
      const part = hashes.slice(i, i + HASHES_PER_QBITTORRENT_CALL);
      lists.push(await this.pool.callOnce(label, (client) => client.getTorrents({ hashes: part })));
    }
    return lists.flat();
  }

  addTags(label: string, hash: string, tags: string[], signal?: AbortSignal): Promise<void> {
    return this.pool.call(label, (client) => client.addTags(hash, tags), {
      what: `tagging torrent ${hash}`,
      operation: 'tag',
      signal,
    });
  }

  /** Pauses a torrent on every instance that holds it. */
  async pause(hash: string, labels: readonly string[]): Promise<void> {
    await this.onEach(labels, `pausing torrent ${hash}`, 'pause', (client) => client.pause(hash));
  }

  /** Resumes a torrent on every instance that holds it. */
  async resume(hash: string, labels: readonly string[]): Promise<void> {
    await this.onEach(labels, `resuming torrent ${hash}`, 'resume', (client) =>
      client.resume(hash),
    );
  }

  /** Removes a torrent from every instance that holds it, with or without its files. */
  async delete(hash: string, labels: readonly string[], deleteFiles: boolean): Promise<void> {
    await this.onEach(labels, `deleting torrent ${hash}`, 'delete', (client) =>
      client.deleteMany([hash], deleteFiles),
    );
    this.forget(labels, [hash]);
  }

  /** Removes torrents, keeping their files: one call per instance that holds any of them. */
  async cancel(holders: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const byInstance = new Map<string, string[]>();
    for (const [hash, labels] of holders) {
      for (const label of labels) {
        const hashes = byInstance.get(label);
        if (hashes === undefined) byInstance.set(label, [hash]);
        else hashes.push(hash);
      }
    }
    await Promise.all(
      [...byInstance].map(([label, hashes]) =>
        this.remove(
          label,
          hashes,
          `cancelling ${hashes.length} torrent${hashes.length === 1 ? '' : 's'}`,
        ),
      ),
    );
  }

  /** Removes torrents from one instance, keeping their files. */
  async remove(label: string, hashes: string[], what: string, operation = 'cancel'): Promise<void> {
    await this.pool.call(label, (client) => client.deleteMany(hashes, false), {
      what,
      operation,
    });
    this.forget([label], hashes);
  }

  /**
   * Whether the instance that took a magnet finds peers for it only through its trackers (DHT
   * off); false when its settings cannot be read.
   */
  dhtOff(label: string): Promise<boolean> {
    return this.pool.dhtOff(label);
  }

  /** Torrents whose file names are kept: at most one per torrent the qBittorrents hold. */
  get cachedFileLists(): number {
    return this.lists.cachedFileLists;
  }

  private async onEach(
    labels: readonly string[],
    what: string,
    operation: string,
    work: (client: QbittorrentClient) => Promise<void>,
  ): Promise<void> {
    await Promise.all(labels.map((label) => this.pool.call(label, work, { what, operation })));
  }

  private forget(labels: readonly string[], hashes: string[]): void {
    this.lists.forget(hashes);
    for (const label of labels) this.pool.released(label, hashes);
  }

  /** The shared look of the instance `label`, made when first wanted. */
  private watchOf(label: string): TorrentWatch {
    let watch = this.watches.get(label);
    if (watch === undefined) {
      watch = new TorrentWatch(
        (hashes) => this.lists.on(label, { hashes }),
        // Adds that will soon want a look too: requests not yet waiting, adds still on their way.
        () =>
          Math.max(0, this.incoming.inProgress - this.waiting()) + this.pool.addsInFlight(label),
      );
      this.watches.set(label, watch);
    }
    return watch;
  }

  private waiting(): number {
    let total = 0;
    for (const watch of this.watches.values()) total += watch.size;
    return total;
  }
}
