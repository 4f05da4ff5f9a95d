import { Injectable, Logger } from '@nestjs/common';
import pLimit from 'p-limit';
import type { MagnetLink } from '../qbittorrent/magnet.js';
import { score } from '../qbittorrent/pool/placement.js';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import type { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type { QbittorrentInstance } from '../qbittorrent/qbittorrent-instance.js';
import {
  isInstanceOutage,
  mayHaveReached,
  V2OnlyUnsupportedError,
} from '../qbittorrent/qbittorrent.errors.js';
import type {
  AddAnswer,
  AddedTorrent,
  AddOptions,
  TorrentInfo,
  TorrentQuery,
} from '../qbittorrent/qbittorrent.types.js';
import { RetryFailedError } from '../retry/retry.errors.js';
import { RetryService } from '../retry/retry.service.js';
import { isTransient } from '../retry/transient.js';
import type { TorrentMetainfo } from '../torrent-file/torrent-file.js';
import {
  AddMayHaveReachedError,
  AllInstancesFailedError,
  HolderDownError,
  type Unreachable,
} from './downloads.errors.js';
import { HASHES_PER_QBITTORRENT_CALL } from './downloads.limits.js';
import { IncomingAdds } from './incoming-adds.js';
import { hasMetadata } from './torrent-status.js';
import { TorrentFileCache } from './torrent-file-cache.js';
import { type TorrentCondition, TorrentWatch } from './torrent-watch.js';

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

/** A torrent to add: its id on libtorrent 2, its v1 hash if it has one, its size (0: unknown). */
interface NewTorrent {
  hash: string;
  v1Hash: string | null;
  size: number;
}

/** What the repository keeps of each qBittorrent: its shared look, and the file names it read. */
interface InstanceState {
  instance: QbittorrentInstance;
  watch: TorrentWatch;
  fileCache: TorrentFileCache;
}

/**
 * The torrents the qBittorrents hold, for the downloads feature, which reaches them through it
 * alone: every call with its retries, the one "look again until qBittorrent shows it" of each
 * instance (TorrentWatch), the file names already known (TorrentFileCache), and, with several
 * qBittorrents, the choice of where a new torrent goes (QbittorrentPool), failing over from an
 * instance that cannot take it, and one question to all of them for a poll.
 *
 * With one qBittorrent it makes exactly the calls it made before there could be several.
 */
@Injectable()
export class TorrentRepository {
  private readonly logger = new Logger('Downloads');
  private readonly states: ReadonlyMap<string, InstanceState>;

  constructor(
    private readonly pool: QbittorrentPool,
    private readonly retry: RetryService,
    private readonly incoming: IncomingAdds,
  ) {
    const states = new Map<string, InstanceState>();
    for (const instance of pool.instances) {
      const watch: TorrentWatch = new TorrentWatch(
        async (hashes) => (await this.listOn(instance, { hashes })).torrents,
        // Add requests the server holds that do not wait here yet: each will soon be looked for.
        // (The items of a batch are looked for together once all are sent.)
        () => this.incoming.inProgress - this.watchers(),
      );
      states.set(instance.label, { instance, watch, fileCache: new TorrentFileCache() });
    }
    this.states = states;
    incoming.onAnswered(() => {
      for (const { watch } of this.states.values()) watch.schedule();
    });
  }

  /**
   * The torrents matching a query on every qBittorrent that can be asked, in parallel, each asked
   * once per 1000 hashes. With one, its failure is thrown; with several, a failing one is reported
   * in `unreachable` (a down one is not asked) and the others answer.
   */
  async list(query: TorrentQuery): Promise<TorrentListing> {
    if (this.pool.single) {
      const { torrents } = await this.listOn(this.pool.only, query);
      const holders = new Map(torrents.map((t) => [t.hash, [this.pool.only.label]]));
      return { torrents, holders, unreachable: [] };
    }
    const unreachable: Unreachable[] = [];
    const answers: { label: string; torrents: TorrentInfo[] }[] = [];
    await Promise.all(
      this.pool.instances.map(async (instance) => {
        if (instance.health.isDown) {
          unreachable.push({ label: instance.label, reason: instance.health.reason ?? 'down' });
          return;
        }
        try {
          answers.push({ label: instance.label, ...(await this.listOn(instance, query)) });
        } catch (error) {
          unreachable.push({ label: instance.label, reason: messageOf(causeOf(error)) });
        }
      }),
    );
    return { ...merge(answers), unreachable };
  }

  /** The listing of one torrent: its entry (from the one further along) and who holds it. */
  async find(hash: string): Promise<TorrentListing> {
    return this.list({ hashes: [hash] });
  }

  /**
   * Torrents matching a query and the file names of each whose metadata qBittorrent has: from
   * the cache of its instance where the listing shows no change, else one `torrents/files` call
   * each. What the listing shows gone is forgotten. `keep` filters the torrents before their files
   * are read.
   */
  async listWithFiles(
    query: TorrentQuery,
    keep: (torrent: TorrentInfo) => boolean = () => true,
  ): Promise<TorrentsWithFiles> {
    const listing = await this.list(query);
    const unreachable = new Set(listing.unreachable.map(({ label }) => label));
    for (const [label, { fileCache }] of this.states) {
      if (unreachable.has(label)) continue;
      const held = new Set(
        [...listing.holders].filter(([, labels]) => labels.includes(label)).map(([hash]) => hash),
      );
      if (query.hashes !== undefined) {
        fileCache.forget(query.hashes.filter((hash) => !held.has(hash)));
      } else if (query.category === undefined && query.tag === undefined) {
        fileCache.retainOnly(held);
      }
    }
    const torrents = listing.torrents.filter(keep);
    return { ...listing, torrents, files: await this.filesOf(torrents, listing.holders) };
  }

  /**
   * Which of `hashes` the instance that took them lists, looking again (for about 1 s) for those
   * it does not yet: qBittorrent lists a new torrent a moment after it answered the add.
   */
  async lookUntilListed(label: string, hashes: string[]): Promise<Set<string>> {
    try {
      return await this.state(label).watch.listed(hashes);
    } catch (error) {
      // With several, an instance that took a torrent and then stopped answering may hold it.
      const cause = causeOf(error);
      if (this.pool.single || !isInstanceOutage(cause)) throw error;
      throw new AddMayHaveReachedError(label, cause as Error);
    }
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
    return (await this.state(label).watch.until([hash], condition, waits)).get(hash);
  }

  /**
   * Adds a magnet where it belongs: to the instance that holds it already, else where placement
   * puts it, failing over from one that cannot take it now. Transient failures are retried (with
   * one qBittorrent; with several, an instance that is down is skipped instead). A refusal is a
   * success if qBittorrent lists the torrent.
   */
  addMagnet(link: MagnetLink, options: AddOptions, signal?: AbortSignal): Promise<AddedTorrent> {
    return this.add(
      { hash: link.hash, v1Hash: link.v1Hash, size: 0 },
      (client) => client.addMagnet(link, options),
      signal,
    );
  }

  /** Uploads a .torrent file, as addMagnet; it goes only where its size fits. */
  addTorrentFile(
    torrent: TorrentMetainfo,
    options: AddOptions,
    signal?: AbortSignal,
  ): Promise<AddedTorrent> {
    return this.add(
      { hash: torrent.hash, v1Hash: torrent.v1Hash, size: torrent.size },
      (client) => client.addTorrentFile(torrent, options),
      signal,
    );
  }

  addTags(label: string, hash: string, tags: string[], signal?: AbortSignal): Promise<void> {
    return this.run(
      this.state(label).instance,
      `tagging torrent ${hash} with its link_id`,
      'tag',
      (client) => client.addTags(hash, tags),
      signal,
    );
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
      for (const label of labels) byInstance.set(label, [...(byInstance.get(label) ?? []), hash]);
    }
    await Promise.all(
      [...byInstance].map(async ([label, hashes]) => {
        await this.run(
          this.state(label).instance,
          `cancelling ${hashes.length} torrent${hashes.length === 1 ? '' : 's'}`,
          'cancel',
          (client) => client.deleteMany(hashes, false),
        );
        this.forget([label], hashes);
      }),
    );
  }

  /**
   * With several qBittorrents: among `hashes` just added to the instance `label`, those another
   * instance holds too (two replicas of the service added the same link at the same moment, or
   * another client did), with the instance whose copy stays: the one further along, else the one
   * rendezvous hashing ranks first, as every replica decides. A fresh copy that does not stay is
   * removed (its files kept) by whoever sees it; the caller answers with the one that stays.
   */
  async settleDuplicates(label: string, hashes: string[]): Promise<Map<string, string>> {
    const kept = new Map<string, string>();
    if (this.pool.single || hashes.length === 0) return kept;
    // One look at each other instance, shared with every add settling at the same moment; ours is
    // looked at again only for a torrent found elsewhere too (seldom).
    const others = this.pool.available().filter((instance) => instance.label !== label);
    const copies = (
      await Promise.all(others.map((other) => this.lookOnce(other.label, hashes).catch(() => [])))
    ).flatMap((listed, i) => listed.map((torrent) => ({ label: others[i].label, torrent })));
    if (copies.length === 0) return kept;
    const ours = new Map((await this.lookOnce(label, hashes)).map((t) => [t.hash, t]));
    for (const copy of copies) {
      const mine = ours.get(copy.torrent.hash);
      if (mine === undefined || kept.has(copy.torrent.hash)) continue;
      const keeper = keeperOf(copy.torrent.hash, { label, torrent: mine }, copy);
      if (keeper === label) continue;
      if (isFresh(mine)) {
        await this.run(
          this.state(label).instance,
          `removing the second copy of ${copy.torrent.hash}`,
          'delete',
          (client) => client.deleteMany([copy.torrent.hash], false),
        ).catch(() => undefined);
        this.forget([label], [copy.torrent.hash]);
      }
      kept.set(copy.torrent.hash, keeper);
    }
    return kept;
  }

  /** What the instance `label` lists of `hashes`, in a look shared with others asking meanwhile. */
  private async lookOnce(label: string, hashes: string[]): Promise<TorrentInfo[]> {
    const seen = await this.state(label).watch.until(hashes, () => true, []);
    return [...seen.values()].filter((torrent): torrent is TorrentInfo => torrent !== undefined);
  }

  /** Torrents whose file names are kept: at most one per torrent the qBittorrents hold. */
  get cachedFileLists(): number {
    let total = 0;
    for (const { fileCache } of this.states.values()) total += fileCache.size;
    return total;
  }

  /**
   * Whether the instance that took a magnet finds peers for it only through its trackers (DHT
   * off); false when its settings cannot be read.
   */
  dhtOff(label: string): Promise<boolean> {
    return this.state(label).instance.settings.dhtOff();
  }

  private async add(
    torrent: NewTorrent,
    send: (client: QbittorrentClient) => Promise<AddAnswer>,
    signal?: AbortSignal,
  ): Promise<AddedTorrent> {
    if (this.pool.single) {
      try {
        return await this.addOn(this.pool.only, torrent.hash, send, signal);
      } catch (error) {
        // Refused before anything was sent: said as it is, not as a failed attempt.
        const cause = causeOf(error);
        throw cause instanceof V2OnlyUnsupportedError ? cause : error;
      }
    }
    const failures: Unreachable[] = [];
    let unsupported: V2OnlyUnsupportedError | undefined;
    for (const instance of this.candidatesFor(torrent)) {
      const sent = instance.view.sendingOne();
      try {
        const added = await this.addOn(instance, torrent.hash, send, signal);
        instance.view.hold(added.hash, added.alreadyPresent ? 0 : torrent.size);
        return added;
      } catch (error) {
        const cause = causeOf(error);
        // One on libtorrent 1.x cannot take a v2-only torrent: another may.
        if (cause instanceof V2OnlyUnsupportedError) {
          unsupported = cause;
          continue;
        }
        if (!isInstanceOutage(cause)) throw error;
        if (mayHaveReached(cause)) return this.maybeHeld(instance, torrent.hash, cause as Error);
        failures.push({ label: instance.label, reason: messageOf(cause) });
      } finally {
        sent();
      }
    }
    if (unsupported !== undefined && failures.length === 0) throw unsupported;
    throw new AllInstancesFailedError(torrent.hash, [...failures, ...this.downInstances(failures)]);
  }

  /**
   * The instances to try for a new torrent, best first: the ones that hold it already (a re-add,
   * or a torrent another client added), else where placement puts it. When every holder is down
   * it goes nowhere: a copy elsewhere would be a second one once the holder is back.
   */
  private candidatesFor(torrent: NewTorrent): QbittorrentInstance[] {
    // A hybrid is held by its v1 hash on libtorrent 1.x (4.2.5).
    const ids = new Set([torrent.hash, torrent.v1Hash ?? torrent.hash]);
    const holders = [...ids].flatMap((id) => this.pool.holders(id));
    if (holders.length === 0) return this.pool.candidatesFor(torrent);
    const up = holders.filter((instance) => !instance.health.isDown);
    if (up.length > 0) return up;
    throw new HolderDownError(
      torrent.hash,
      holders.map(({ label, health }) => ({ label, reason: health.reason ?? 'down' })),
    );
  }

  /** An add sent to an instance that stopped answering: accepted only if it answers and lists it. */
  private async maybeHeld(
    instance: QbittorrentInstance,
    hash: string,
    cause: Error,
  ): Promise<AddedTorrent> {
    const { torrents } = await this.listOn(instance, { hashes: [hash] }).catch(() => ({
      torrents: [] as TorrentInfo[],
    }));
    if (torrents.length === 0) throw new AddMayHaveReachedError(instance.label, cause);
    instance.view.hold(hash);
    return { hash, alreadyPresent: false, instance: instance.label };
  }

  private async addOn(
    instance: QbittorrentInstance,
    hash: string,
    send: (client: QbittorrentClient) => Promise<AddAnswer>,
    signal?: AbortSignal,
  ): Promise<AddedTorrent> {
    return this.run(
      instance,
      `adding torrent ${hash} to ${this.nameOf(instance)}`,
      'add',
      async (client) => this.held(instance, await send(client)),
      signal,
    );
  }

  /**
   * What an add came to: added; or, when qBittorrent did not answer it as done, held already if
   * its list shows it. A qBittorrent that ignores tags on an add (before WebAPI 2.6.2) gets them
   * once it lists the torrent: `torrents/addTags` on a torrent it does not list yet does nothing.
   */
  private async held(instance: QbittorrentInstance, answer: AddAnswer): Promise<AddedTorrent> {
    const { label } = instance;
    if (answer.added) {
      if (answer.tagsLater !== undefined) {
        if ((await this.lookUntilListed(label, [answer.hash])).has(answer.hash)) {
          await instance.client.addTags(answer.hash, answer.tagsLater);
        } else {
          this.logger.warn(
            `${label} did not list ${answer.hash} in time after adding it: it is held without its tags (${answer.tagsLater.join(', ')})`,
          );
        }
      }
      return { hash: answer.hash, alreadyPresent: false, instance: label };
    }
    if ((await this.lookUntilListed(label, [answer.hash])).has(answer.hash)) {
      return { hash: answer.hash, alreadyPresent: true, instance: label };
    }
    throw answer.refusal;
  }

  /** The torrents matching a query on one instance, asked 1000 hashes a call at most. */
  private async listOn(
    instance: QbittorrentInstance,
    query: TorrentQuery,
  ): Promise<{ torrents: TorrentInfo[] }> {
    const list = (part: TorrentQuery) =>
      this.run(instance, `reading torrents from ${this.nameOf(instance)}`, 'status', (client) =>
        client.getTorrents(part),
      );
    if (query.hashes === undefined) return { torrents: await list(query) };
    const lists: TorrentInfo[][] = [];
    for (let i = 0; i < query.hashes.length; i += HASHES_PER_QBITTORRENT_CALL) {
      lists.push(
        await list({ ...query, hashes: query.hashes.slice(i, i + HASHES_PER_QBITTORRENT_CALL) }),
      );
    }
    const torrents = lists.flat();
    // What it lists is its own from now on; what it does not list may be on its way (qBittorrent
    // lists a new torrent late): removals are learnt from its maindata and from our own removals.
    if (!this.pool.single) for (const torrent of torrents) instance.view.hold(torrent.hash);
    return { torrents };
  }

  /**
   * One call through the retries. With one qBittorrent every transient failure is retried; with
   * several, a failure of the instance as a whole is not: the instance is marked down (its call
   * does it) and the caller turns to another.
   */
  private run<T>(
    instance: QbittorrentInstance,
    label: string,
    operation: string,
    work: (client: QbittorrentClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.retry.execute(() => instance.call(work), {
      label,
      operation,
      signal,
      ...(!this.pool.single && {
        shouldRetry: (error: unknown) => isTransient(error) && !isInstanceOutage(error),
      }),
    });
  }

  private async onEach(
    labels: readonly string[],
    what: string,
    operation: string,
    work: (client: QbittorrentClient) => Promise<void>,
  ): Promise<void> {
    await Promise.all(
      labels.map((label) => this.run(this.state(label).instance, what, operation, work)),
    );
  }

  private async filesOf(
    torrents: TorrentInfo[],
    holders: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, readonly string[]>> {
    const files = new Map<string, readonly string[]>();
    const limit = pLimit(FILES_CONCURRENCY);
    const unknown: { torrent: TorrentInfo; state: InstanceState }[] = [];
    for (const torrent of torrents.filter(hasMetadata)) {
      const state = this.state(holders.get(torrent.hash)?.[0] ?? this.pool.instances[0].label);
      const known = state.fileCache.get(torrent);
      if (known === undefined) unknown.push({ torrent, state });
      else files.set(torrent.hash, known);
    }
    await Promise.all(
      unknown.map(({ torrent, state }) =>
        limit(async () => {
          const read = await this.run(
            state.instance,
            `reading the files of torrent ${torrent.hash}`,
            'files',
            (client) => client.getFiles(torrent.hash),
          );
          const names = (read ?? []).map((file) => file.name);
          // None: removed between the two calls, or its metadata not there after all (a stopped
          // magnet): nothing to keep.
          if (names.length > 0) state.fileCache.set(torrent, names);
          files.set(torrent.hash, names);
        }),
      ),
    );
    return files;
  }

  private forget(labels: readonly string[], hashes: string[]): void {
    for (const label of labels) {
      const { instance, fileCache } = this.state(label);
      fileCache.forget(hashes);
      for (const hash of hashes) instance.view.drop(hash);
    }
  }

  /** The instances known down and not tried, for an error that names every instance. */
  private downInstances(tried: readonly Unreachable[]): Unreachable[] {
    const named = new Set(tried.map(({ label }) => label));
    return this.pool.instances
      .filter((instance) => instance.health.isDown && !named.has(instance.label))
      .map((instance) => ({ label: instance.label, reason: instance.health.reason ?? 'down' }));
  }

  /** How messages name an instance: by its address when there are several. */
  private nameOf(instance: QbittorrentInstance): string {
    return this.pool.single ? 'qBittorrent' : `qBittorrent at ${instance.label}`;
  }

  private watchers(): number {
    let total = 0;
    for (const { watch } of this.states.values()) total += watch.size;
    return total;
  }

  private state(label: string): InstanceState {
    const state = this.states.get(label);
    if (state === undefined) throw new Error(`no qBittorrent ${label}`);
    return state;
  }
}

/** The answers of several instances as one listing: each torrent once, from the one further along. */
function merge(
  answers: { label: string; torrents: TorrentInfo[] }[],
): Omit<TorrentListing, 'unreachable'> {
  const best = new Map<string, { label: string; torrent: TorrentInfo }>();
  const holders = new Map<string, string[]>();
  for (const { label, torrents } of answers) {
    for (const torrent of torrents) {
      const current = best.get(torrent.hash);
      const labels = holders.get(torrent.hash) ?? [];
      if (current === undefined || furtherAlong(torrent, current.torrent)) {
        best.set(torrent.hash, { label, torrent });
        labels.unshift(label);
      } else {
        labels.push(label);
      }
      holders.set(torrent.hash, labels);
    }
  }
  return { torrents: [...best.values()].map(({ torrent }) => torrent), holders };
}

/** Whether `a` is further along than `b`: more of it downloaded. */
function furtherAlong(a: TorrentInfo, b: TorrentInfo): boolean {
  return a.progress !== b.progress ? a.progress > b.progress : a.completed > b.completed;
}

/** Which of two copies of a torrent stays: the one further along, else rendezvous hashing's first. */
function keeperOf(
  hash: string,
  a: { label: string; torrent: TorrentInfo },
  b: { label: string; torrent: TorrentInfo },
): string {
  if (furtherAlong(a.torrent, b.torrent)) return a.label;
  if (furtherAlong(b.torrent, a.torrent)) return b.label;
  return score(a.label, hash) >= score(b.label, hash) ? a.label : b.label;
}

/** A copy with nothing downloaded yet: removing it loses nothing. */
function isFresh(torrent: TorrentInfo): boolean {
  return torrent.progress === 0 && (torrent.completed ?? 0) === 0;
}

function causeOf(error: unknown): unknown {
  return error instanceof RetryFailedError ? error.cause : error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
