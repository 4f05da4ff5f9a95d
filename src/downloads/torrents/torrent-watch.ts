import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';

/**
 * Waits between two looks at a torrent not yet as wanted: growing from a few milliseconds (a new
 * torrent is usually listed a moment after qBittorrent's answer) to about 1 s in all.
 */
export const LISTING_WAITS_MS: readonly number[] = [2, 5, 10, 20, 40, 80, 160, 300, 400];

/**
 * While adds are still on their way to qBittorrent, a look waits for them this long at most, so
 * that concurrent adds share it: under load a look costs a few milliseconds of latency and saves
 * qBittorrent a list call per add. Alone, an add is looked for at once.
 */
export const COALESCE_MS = 20;

/** Reads the torrents among `hashes` that qBittorrent lists (however many: the reader chunks). */
export type ListTorrents = (hashes: string[]) => Promise<TorrentInfo[]>;

/** What a watcher waits for, per torrent: `undefined` when qBittorrent does not list it. */
export type TorrentCondition = (torrent: TorrentInfo | undefined) => boolean;

interface Watcher {
  /** Torrents not yet as wanted. */
  waiting: Set<string>;
  /** The last look at each torrent (undefined: not listed). */
  seen: Map<string, TorrentInfo | undefined>;
  wanted: TorrentCondition;
  waits: readonly number[];
  /** Looks of its own so far (a look at another's time that does not satisfy it does not count). */
  looks: number;
  /** When it wants its next look (epoch ms). */
  due: number;
  resolve: (seen: Map<string, TorrentInfo | undefined>) => void;
  reject: (error: unknown) => void;
}

/**
 * The one "look again until qBittorrent shows it" of the service: adds waiting for their torrent
 * to be listed, pauses waiting to be applied. Everyone waiting at the same moment is answered by
 * one list call (what is asked in between waits for the next one, and a look waits up to
 * COALESCE_MS for the adds still `arriving`), so that 32 concurrent adds cost a few list calls,
 * not 32. A watcher ends when every torrent it waits for is as wanted, or after its last wait;
 * either way it gets the last look at each.
 */
export class TorrentWatch {
  private readonly watchers = new Set<Watcher>();
  private timer: { cancel: () => void } | undefined;
  private timerDue = Infinity;
  private looking = false;

  /**
   * `arriving`: how many adds are still on their way (each may soon wait here too); a look waits
   * for them `coalesceMs` at most.
   */
  constructor(
    private readonly listTorrents: ListTorrents,
    private readonly arriving: () => number = () => 0,
    private readonly coalesceMs = COALESCE_MS,
  ) {}

  /** Waits until each of `hashes` is `wanted`, looking at once and then after each of `waits`. */
  until(
    hashes: string[],
    wanted: TorrentCondition,
    waits: readonly number[] = LISTING_WAITS_MS,
  ): Promise<Map<string, TorrentInfo | undefined>> {
    if (hashes.length === 0) return Promise.resolve(new Map<string, TorrentInfo | undefined>());
    return new Promise((resolve, reject) => {
      this.watchers.add({
        waiting: new Set(hashes),
        seen: new Map(),
        wanted,
        waits,
        looks: 0,
        due: Date.now(),
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  /** Which of `hashes` qBittorrent lists, looking again for about 1 s for those it does not yet. */
  async listed(hashes: string[]): Promise<Set<string>> {
    const seen = await this.until(hashes, (torrent) => torrent !== undefined);
    return new Set([...seen].filter(([, torrent]) => torrent !== undefined).map(([hash]) => hash));
  }

  /** Watchers in progress: none once every wait has ended. */
  get size(): number {
    return this.watchers.size;
  }

  /** Plans the next look; to be called again when adds stop arriving (it may then come sooner). */
  schedule(): void {
    // After a look in flight, the next is scheduled as it ends.
    if (this.looking || this.watchers.size === 0) return;
    let due = Infinity;
    for (const watcher of this.watchers) due = Math.min(due, watcher.due);
    if (this.arriving() > 0) due += this.coalesceMs;
    if (this.timer !== undefined && this.timerDue === due) return;
    this.timer?.cancel();
    this.timerDue = due;
    this.timer = after(due - Date.now(), () => void this.look());
  }

  private async look(): Promise<void> {
    // A timer may fire a millisecond before Date.now() reaches the time it was set for: the
    // watchers it was set for are due all the same.
    const planned = this.timerDue;
    this.timer = undefined;
    this.timerDue = Infinity;
    this.looking = true;
    // Everyone waiting is looked at, the early ones too: it costs the same call.
    const watchers = [...this.watchers];
    const hashes = new Set<string>();
    for (const watcher of watchers) for (const hash of watcher.waiting) hashes.add(hash);
    try {
      const listed = new Map((await this.listTorrents([...hashes])).map((t) => [t.hash, t]));
      const now = Math.max(Date.now(), planned);
      for (const watcher of watchers) this.judge(watcher, listed, now);
    } catch (error) {
      for (const watcher of watchers) {
        this.watchers.delete(watcher);
        watcher.reject(error);
      }
    } finally {
      this.looking = false;
      this.schedule();
    }
  }

  private judge(watcher: Watcher, listed: Map<string, TorrentInfo>, now: number): void {
    for (const hash of watcher.waiting) {
      const torrent = listed.get(hash);
      watcher.seen.set(hash, torrent);
      if (watcher.wanted(torrent)) watcher.waiting.delete(hash);
    }
    if (watcher.waiting.size > 0) {
      if (now < watcher.due) return; // looked at early: its own looks are still to come
      if (watcher.looks < watcher.waits.length) {
        watcher.due = now + watcher.waits[watcher.looks];
        watcher.looks++;
        return;
      }
    }
    this.watchers.delete(watcher);
    watcher.resolve(watcher.seen);
  }
}

/**
 * Runs `task` in `ms`, or in the next turn of the event loop when it is due already: a 0 ms
 * timer waits a full millisecond, which a lone add would pay on every look.
 */
function after(ms: number, task: () => void): { cancel: () => void } {
  if (ms <= 0) {
    const immediate = setImmediate(task);
    return { cancel: () => clearImmediate(immediate) };
  }
  const timer = setTimeout(task, ms);
  return { cancel: () => clearTimeout(timer) };
}
