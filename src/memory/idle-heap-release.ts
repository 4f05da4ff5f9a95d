import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HEALTH_ROUTES } from '../health/health.routes.js';
import { METRICS_ROUTE } from '../metrics/metrics.routes.js';

/** How often the service looks whether it is idle with a grown heap. */
export const IDLE_CHECK_MS = 5000;
/**
 * How long no request must have come before the memory is given back. The collection that gives
 * it back also drops what V8 compiled, and the next burst runs on cold code: 6,000 adds right after
 * one cost 40% more CPU per add (measured: bench/README.md). Bursts closer than this keep theirs.
 */
export const QUIET_BEFORE_RELEASE_MS = 30_000;
/** Heap growth since the last release that is worth a full collection (about 25 ms, idle). */
export const HEAP_GROWTH_BYTES = 16 * 1024 * 1024;
/** Probes and scrapes, which come every few seconds whether or not the service has work. */
const MONITORING = new Set<string>([...Object.values(HEALTH_ROUTES), METRICS_ROUTE]);

type Collect = () => void;

/**
 * Gives the memory a burst of work grew back to the system once the service is idle. V8 in Node
 * never shrinks its heap by itself: after 12,000 adds or a 5,000-torrent listing the service kept
 * 300 MB resident with 40 MB in use, for as long as it ran (measured: bench/README.md). So when no
 * request (health probes and metric scrapes aside) has come for QUIET_BEFORE_RELEASE_MS and the
 * heap, or the resident memory, grew by HEAP_GROWTH_BYTES since the last release, it runs one
 * full, memory-reducing collection: about 25 ms when nobody waits. (The resident memory counts too:
 * a burst of large answers can leave 40 MB resident over a heap that grew by less.)
 */
@Injectable()
export class IdleHeapRelease implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Memory');
  /** Requests other than monitoring: in progress now, and started since the process began. */
  private inProgress = 0;
  private started = 0;
  private startedAtLastCheck = 0;
  /** Looks in a row that found no request in progress nor started since the one before. */
  private quietLooks = 0;
  private baseline = { heap: 0, resident: 0 };
  private timer: NodeJS.Timeout | undefined;
  private collect: Collect | undefined;

  /** Counts the requests `server` receives, monitoring aside (configureApp calls it). */
  observe(server: Server): void {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (MONITORING.has((request.url ?? '').split('?', 1)[0])) return;
      this.started++;
      this.inProgress++;
      response.once('close', () => this.inProgress--);
    });
  }

  onApplicationBootstrap(): void {
    this.baseline = this.measured();
    this.timer = setInterval(() => this.check(), IDLE_CHECK_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One look: releases the heap if the service has been quiet for QUIET_BEFORE_RELEASE_MS. */
  check(): void {
    const quiet = this.inProgress === 0 && this.started === this.startedAtLastCheck;
    this.startedAtLastCheck = this.started;
    this.quietLooks = quiet ? this.quietLooks + 1 : 0;
    if (this.quietLooks * IDLE_CHECK_MS < QUIET_BEFORE_RELEASE_MS) return;
    const before = this.measured();
    if (
      before.heap - this.baseline.heap < HEAP_GROWTH_BYTES &&
      before.resident - this.baseline.resident < HEAP_GROWTH_BYTES
    ) {
      return;
    }
    const started = performance.now();
    this.fullCollection();
    this.baseline = this.measured();
    this.logger.debug(
      `Idle: heap ${mib(before.heap)} -> ${mib(this.baseline.heap)} MiB, resident ${mib(before.resident)} -> ${mib(this.baseline.resident)} MiB in ${Math.round(performance.now() - started)} ms`,
    );
  }

  private measured(): { heap: number; resident: number } {
    return { heap: this.heapBytes(), resident: this.residentBytes() };
  }

  /** The size of V8's heap: what it holds from the system, used or not. */
  protected heapBytes(): number {
    return getHeapStatistics().total_heap_size;
  }

  /** What the process holds in memory, heap and the rest. */
  protected residentBytes(): number {
    return process.memoryUsage.rss();
  }

  /** The collection V8 runs before giving up for lack of memory: it also shrinks the heap. */
  protected fullCollection(): void {
    this.collect ??= exposeGc();
    this.collect();
  }
}

/**
 * V8's `gc()` without starting Node with --expose-gc: the flag, set now, applies to contexts made
 * after it, so a new context hands over its `gc` (the way Jest reads heap use). Only the
 * "last-resort" flavour (V8's CollectAllAvailableGarbage) returns pages to the system.
 */
function exposeGc(): Collect {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: object) => void;
  return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}
