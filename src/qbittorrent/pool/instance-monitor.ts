import type { Logger } from '@nestjs/common';
import type { InstanceView } from './instance-view.js';
import type { PoolMember } from './pool-member.js';

/** The shortest wait between two reads of an instance's maindata. */
export const SYNC_MIN_INTERVAL_MS = 5000;
/**
 * The share of an instance's time its maindata may take: a read that took d ms waits d / this
 * before the next. qBittorrent 4.x rebuilds every torrent on each read (about 1 s for 5,000 on
 * 4.5.2), 4.6 and later only the changed ones (a few ms). The goal is under 2% of a core; a read
 * costs qBittorrent a little more CPU than the time we wait for it (measured 1.55-2.07% at a
 * budget of 2%), hence the margin.
 */
export const SYNC_BUDGET = 0.015;
/**
 * The first wait before looking again at an instance that went down; it doubles up to the cap,
 * which keeps a return seen, and with several read in full (about 1 s for 5,000 torrents on 4.x),
 * within 5 s (the core is then told: RegistrationRuns), for one `app/version` call every 3 s or so
 * to an instance that is down.
 */
export const PROBE_BASE_MS = 1000;
export const PROBE_MAX_MS = 3000;

/** How often it reads and probes (the constants above; tests shorten them). */
export interface MonitorTiming {
  minSyncMs: number;
  budget: number;
  probeBaseMs: number;
  probeMaxMs: number;
}

const TIMING: MonitorTiming = {
  minSyncMs: SYNC_MIN_INTERVAL_MS,
  budget: SYNC_BUDGET,
  probeBaseMs: PROBE_BASE_MS,
  probeMaxMs: PROBE_MAX_MS,
};

/**
 * Looks after one qBittorrent in the background. Once it is down: looked at again with a doubling,
 * jittered backoff, and never asked anything else meanwhile, until it answers. With several, and a
 * view to keep: while it is up, its maindata (free space, torrents, what they still need) read as a
 * delta since the last read, as often as SYNC_BUDGET allows. With one, nothing while it is up,
 * until /metrics is first scraped (`watch`): then its view is read the same way.
 */
export class InstanceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private probes = 0;
  /** Back after being down, and not yet read in full since. */
  private returning = false;

  /**
   * `onBack` runs once an instance that was down answers again: at once when `alone` (one
   * qBittorrent, whose return is all there is to know), else once its view is read in full.
   */
  constructor(
    private readonly member: PoolMember,
    private view: InstanceView | null,
    private readonly logger: Logger,
    private readonly onBack: () => void,
    private readonly alone = view === null,
    private readonly timing: MonitorTiming = TIMING,
  ) {
    member.health.onChange((down) => {
      if (down) {
        this.probes = 0;
        const others = alone ? '' : ' the others take its adds;';
        this.logger.warn(
          `${member.name} is down (${member.health.reason}):${others} looking again in the background`,
        );
        if (!this.running) this.schedule(this.probeDelay());
      } else {
        this.logger.log(`${member.name} is back`);
        if (alone) onBack();
        if (this.view === null) return;
        this.view.reset(); // it may have restarted: read everything again
        this.returning = !alone;
        if (!this.running) this.schedule(0);
      }
    });
  }

  /**
   * Keeps `view` from now on, read as often as the budget allows (one qBittorrent, once /metrics
   * is scraped: until then nothing runs while it answers).
   */
  watch(view: InstanceView): void {
    if (this.view !== null) return;
    this.view = view;
    if (!this.stopped && !this.running && !this.member.health.isDown) this.schedule(0);
  }

  start(): void {
    this.stopped = false;
    if (this.view !== null) this.schedule(0);
    else if (this.member.health.isDown) this.schedule(this.probeDelay());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.running = true;
    let next: number | null;
    try {
      if (this.member.health.isDown) next = await this.probe();
      else next = this.view === null ? null : await this.sync(this.view);
    } finally {
      this.running = false;
    }
    if (next !== null) this.schedule(next);
  }

  /** Reads what changed since the last read; answers the wait before the next. */
  private async sync(view: InstanceView): Promise<number> {
    const { member } = this;
    let took: number;
    let full: boolean;
    try {
      // A login is not the read the budget is for, and qBittorrent's password check makes it slow.
      await member.call(() => member.instance.session.current());
      const started = performance.now();
      const data = await member.call((client) => client.getMaindata(view.nextRid));
      took = performance.now() - started;
      view.apply(data);
      full = data.fullUpdate;
    } catch {
      // A delta cannot be trusted after a failure (qBittorrent#24845): everything next time.
      view.reset();
      return member.health.isDown ? this.probeDelay() : this.timing.minSyncMs;
    }
    // Told outside the read: what its listeners do is no failure of the read.
    if (full && this.returning) {
      this.returning = false;
      this.onBack();
    }
    // qBittorrent checks free space in the background from a session's start (4.x: 0 until then):
    // the read after a full one that found none comes soon, not a whole budget later.
    if (full && view.freeSpaceOnDisk === null) return this.timing.minSyncMs;
    return Math.max(this.timing.minSyncMs, took / this.timing.budget);
  }

  /** Whether it answers again (the health listener then plans a read at once, if any). */
  private async probe(): Promise<number | null> {
    await this.member.call((client) => client.getVersion()).catch(() => undefined);
    if (this.member.health.isDown) return this.probeDelay();
    return this.view === null ? null : 0;
  }

  private probeDelay(): number {
    this.probes++;
    const { probeBaseMs, probeMaxMs } = this.timing;
    const doubled = Math.min(probeBaseMs * 2 ** (this.probes - 1), probeMaxMs);
    return doubled * (0.8 + Math.random() * 0.4);
  }
}
