import type { QbittorrentInstance } from '../instance/qbittorrent-instance.js';
import type { QbittorrentSettings } from '../instance/qbittorrent-settings.reader.js';
import type { QbittorrentClient } from '../wire/qbittorrent.client.js';
import { isInstanceOutage } from '../wire/qbittorrent.errors.js';
import { InstanceHealth } from './instance-health.js';
import type { InstanceView } from './instance-view.js';

/**
 * One qBittorrent as the pool keeps it: the instance, its name in messages, whether it is up
 * (from how its own calls went, and nothing else), the adds on their way to it, and, when the pool
 * keeps instances in view, what it holds and its room.
 */
export class PoolMember {
  readonly health = new InstanceHealth();
  private inFlight = 0;
  /** When the latest call it answered was made (performance.now()); -Infinity before any. */
  private answeredCallAt = -Infinity;

  constructor(
    readonly instance: QbittorrentInstance,
    readonly name: string,
    private kept: InstanceView | null,
  ) {}

  /** What it holds and its room, where the pool keeps it in view; null otherwise. */
  get view(): InstanceView | null {
    return this.kept;
  }

  /** Keeps it in view from now on with `view` (one qBittorrent, once /metrics is scraped). */
  keepInView(view: InstanceView): void {
    this.kept ??= view;
  }

  get label(): string {
    return this.instance.label;
  }

  /** Named in QBITTORRENT_DRAIN: it keeps what it holds and takes no new torrent. */
  get draining(): boolean {
    return this.instance.config.draining;
  }

  /**
   * Its settings as last read, without waiting (a read over a minute old starts another, unless it
   * is down): for /metrics. Null before any read.
   */
  settingsKnown(): ReturnType<QbittorrentSettings['lastKnown']> {
    const { settings } = this.instance;
    return this.health.isDown ? settings.lastRead() : settings.lastKnown();
  }

  /** Why it is down (while `health.isDown`): the failure that marked it so. */
  get downReason(): string {
    return this.health.reason ?? 'down';
  }

  /**
   * One attempt of a call to this qBittorrent, noting how it went: a failure of the instance as a
   * whole marks it down, any answer marks it up. Nothing else changes its health.
   */
  async call<T>(work: (client: QbittorrentClient) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work(this.instance.client);
      this.answeredCallAt = Math.max(this.answeredCallAt, started);
      this.health.markUp();
      return result;
    } catch (error) {
      if (isInstanceOutage(error)) this.health.markDown((error as Error).message);
      else this.health.markUp();
      throw error;
    }
  }

  /** Counts an add on its way to this instance until `done()` (placement weighs it; looks wait for it). */
  sending(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (!done) this.inFlight--;
      done = true;
    };
  }

  get addsInFlight(): number {
    return this.inFlight;
  }

  /** Whether a call made at `time` (performance.now()) or later was answered. */
  answeredSince(time: number): boolean {
    return this.answeredCallAt >= time;
  }
}
