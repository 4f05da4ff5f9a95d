import type { Maindata, MaindataTorrent } from '../wire/maindata.js';

/**
 * How long an add of ours (or a torrent a listing showed) counts for an instance before its
 * maindata lists it: longer than any refresh, short enough that an add qBittorrent lost is forgotten.
 */
export const PENDING_MS = 10 * 60 * 1000;

/**
 * What the view keeps of a torrent: the fields of its maindata this service reads, in qBittorrent's
 * names (TorrentInfo's, so that what judges a listed torrent judges these alike), as last reported.
 */
export type ViewedTorrent = Required<MaindataTorrent>;

const UNREPORTED: ViewedTorrent = {
  amount_left: 0,
  progress: 0,
  size: 0,
  state: 'unknown',
  num_seeds: 0,
  num_complete: 0,
  availability: 0,
  added_on: 0,
  last_activity: 0,
  downloaded: 0,
  tracker: '',
  trackers_count: -1, // not reported (4.2.5)
};

/**
 * What one qBittorrent holds and how much room it has left, for placing new torrents on several
 * and for /metrics (each torrent's state and what judges it stalled, DHT nodes, connection status):
 * its `sync/maindata` answers applied one after the other (a full update replaces everything, a
 * delta changes fields and removes torrents), plus what the service learnt since (its own adds,
 * counted at once, and what listings showed) until the maindata shows it too. Room is the free
 * space of its default save path minus the bytes its incomplete torrents still need; 0 (before
 * qBittorrent's first disk check) and -1 (4.2.5) mean unknown, not full.
 */
export class InstanceView {
  private rid = 0;
  private readonly torrents = new Map<string, ViewedTorrent>();
  private freeSpace: number | null = null;
  private dht: number | null = null;
  private connection: string | null = null;
  private bytesLeft = 0;
  private incompleteHeld = 0;
  private readonly pending = new Map<string, { bytes: number; until: number }>();
  /** When the last maindata answer was applied (epoch ms); null before the first. */
  syncedAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** The rid to ask `sync/maindata` with: 0 (everything) until an answer was applied. */
  get nextRid(): number {
    return this.rid;
  }

  apply(data: Maindata): void {
    if (data.fullUpdate) {
      this.torrents.clear();
      this.bytesLeft = 0;
      this.incompleteHeld = 0;
    }
    for (const hash of data.removed) this.set(hash, undefined);
    for (const [hash, changes] of Object.entries(data.torrents)) {
      this.set(hash, merged(this.torrents.get(hash), changes));
      this.pending.delete(hash);
    }
    const { freeSpaceOnDisk, dhtNodes, connectionStatus } = data.server;
    if (freeSpaceOnDisk !== undefined) {
      this.freeSpace = freeSpaceOnDisk > 0 ? freeSpaceOnDisk : null;
    }
    if (dhtNodes !== undefined) this.dht = dhtNodes;
    if (connectionStatus !== undefined) this.connection = connectionStatus;
    this.rid = data.rid;
    this.syncedAt = this.now();
  }

  /** Asks for everything next time: after an error, or with a new session (the rid is its). */
  reset(): void {
    this.rid = 0;
  }

  /**
   * A torrent this instance holds, learnt from our add or a listing, before its maindata shows it:
   * `bytes` (a .torrent's size, 0 for a magnet) count against its room meanwhile.
   */
  hold(hash: string, bytes = 0): void {
    if (this.torrents.has(hash)) return;
    const known = this.pending.get(hash)?.bytes ?? 0;
    this.pending.set(hash, { bytes: Math.max(bytes, known), until: this.now() + PENDING_MS });
  }

  /** A torrent it no longer holds (removed, or asked for and not listed). */
  drop(hash: string): void {
    this.pending.delete(hash);
    this.set(hash, undefined);
  }

  holds(hash: string): boolean {
    return this.torrents.has(hash) || this.livePending().has(hash);
  }

  /** Free space on its default save path, when known. */
  get freeSpaceOnDisk(): number | null {
    return this.freeSpace;
  }

  /** Bytes it can still take; null while its free space is unknown. */
  get room(): number | null {
    if (this.freeSpace === null) return null;
    let reserved = 0;
    for (const { bytes } of this.livePending().values()) reserved += bytes;
    return this.freeSpace - this.bytesLeft - reserved;
  }

  /** Its incomplete torrents, ours not yet in its maindata included. */
  get incomplete(): number {
    return this.incompleteHeld + this.livePending().size;
  }

  /** DHT nodes it reported last; null before it did. */
  get dhtNodes(): number | null {
    return this.dht;
  }

  /** Its connection status as it reported it last (`connected`, `firewalled`, `disconnected`). */
  get connectionStatus(): string | null {
    return this.connection;
  }

  /** The torrents its maindata lists, as it reported them. */
  listedTorrents(): IterableIterator<ViewedTorrent> {
    return this.torrents.values();
  }

  /** Torrents its maindata lists. */
  get size(): number {
    return this.torrents.size;
  }

  /** The hashes of the torrents its maindata lists. */
  listedHashes(): IterableIterator<string> {
    return this.torrents.keys();
  }

  private set(hash: string, held: ViewedTorrent | undefined): void {
    const before = this.torrents.get(hash);
    if (before !== undefined) {
      this.bytesLeft -= before.progress < 1 ? before.amount_left : 0;
      this.incompleteHeld -= before.progress < 1 ? 1 : 0;
    }
    if (held === undefined) {
      this.torrents.delete(hash);
      return;
    }
    this.torrents.set(hash, held);
    this.bytesLeft += held.progress < 1 ? held.amount_left : 0;
    this.incompleteHeld += held.progress < 1 ? 1 : 0;
  }

  private livePending(): Map<string, { bytes: number; until: number }> {
    const now = this.now();
    for (const [hash, { until }] of this.pending) if (until <= now) this.pending.delete(hash);
    return this.pending;
  }
}

/** A torrent's fields after a maindata answer: what changed over what it had. */
function merged(before: ViewedTorrent | undefined, changes: MaindataTorrent): ViewedTorrent {
  const torrent = { ...(before ?? UNREPORTED) };
  for (const key of Object.keys(UNREPORTED) as (keyof ViewedTorrent)[]) {
    const value = changes[key];
    if (typeof value === typeof UNREPORTED[key]) (torrent as Record<string, unknown>)[key] = value;
  }
  torrent.amount_left = Math.max(torrent.amount_left, 0);
  return torrent;
}
