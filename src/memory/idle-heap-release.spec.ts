import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  HEAP_GROWTH_BYTES,
  IDLE_CHECK_MS,
  IdleHeapRelease,
  QUIET_BEFORE_RELEASE_MS,
} from './idle-heap-release.js';

const MIB = 1024 * 1024;
/** The looks that make up the quiet period before a release. */
const QUIET_LOOKS = QUIET_BEFORE_RELEASE_MS / IDLE_CHECK_MS;

/** The release over a heap whose size the test sets, counting its collections. */
class Observed extends IdleHeapRelease {
  heap = 50 * MIB;
  resident = 120 * MIB;
  collections = 0;

  protected override heapBytes(): number {
    return this.heap;
  }

  protected override residentBytes(): number {
    return this.resident;
  }

  protected override fullCollection(): void {
    this.collections++;
    this.heap = 40 * MIB;
    this.resident = 110 * MIB;
  }
}

/** The release started over an HTTP server (not listening: requests are emitted to it). */
function started() {
  const server = createServer();
  const release = new Observed();
  release.observe(server);
  release.onApplicationBootstrap();
  /** A request arrives; the answer is sent when the returned function is called. */
  const request = (url = '/download') => {
    const response = new EventEmitter();
    server.emit('request', { url }, response);
    return () => response.emit('close');
  };
  return { release, request };
}

describe(IdleHeapRelease.name, () => {
  let release: Observed | undefined;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  afterEach(() => release?.onApplicationShutdown());

  /** `looks` looks, as the timer makes them every IDLE_CHECK_MS. */
  const look = (looks: number) => {
    for (let i = 0; i < looks; i++) release?.check();
  };

  it('collects once the service has been quiet long enough with a grown heap, and not again until it grows again', () => {
    const run = started();
    release = run.release;
    run.request()();
    release.heap += HEAP_GROWTH_BYTES;
    look(1); // a request since the last look: not quiet yet
    look(QUIET_LOOKS - 1);
    expect(release.collections).toBe(0);
    look(1);
    expect(release.collections).toBe(1);
    look(QUIET_LOOKS);
    expect(release.collections).toBe(1);
    release.heap += HEAP_GROWTH_BYTES;
    look(1);
    expect(release.collections).toBe(2);
  });

  it('keeps what a burst grew, and what V8 compiled, while bursts come closer than the quiet period', () => {
    const run = started();
    release = run.release;
    for (let burst = 0; burst < 10; burst++) {
      run.request()();
      release.heap += HEAP_GROWTH_BYTES;
      look(QUIET_LOOKS - 1);
    }
    expect(release.collections).toBe(0);
    look(QUIET_LOOKS);
    expect(release.collections).toBe(1);
  });

  it('waits while a request is in progress, however long it takes', () => {
    const run = started();
    release = run.release;
    const answer = run.request();
    release.heap += 2 * HEAP_GROWTH_BYTES;
    look(2 * QUIET_LOOKS);
    expect(release.collections).toBe(0);
    answer();
    look(QUIET_LOOKS);
    expect(release.collections).toBe(1);
  });

  it('counts health probes and metric scrapes as quiet', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES;
    run.request('/health');
    run.request('/metrics');
    look(QUIET_LOOKS);
    expect(release.collections).toBe(1);
  });

  it('collects too when the resident memory grew over a heap that grew less', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES / 2;
    release.resident += HEAP_GROWTH_BYTES;
    look(QUIET_LOOKS);
    expect(release.collections).toBe(1);
  });

  it('leaves a heap that grew less than the threshold alone', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES - 1;
    look(QUIET_LOOKS);
    expect(release.collections).toBe(0);
  });
});

describe('the full collection itself', () => {
  it('runs without --expose-gc and gives back what a burst grew', () => {
    class Exposed extends IdleHeapRelease {
      collectNow() {
        this.fullCollection();
      }
      heapNow() {
        return this.heapBytes();
      }
    }
    const exposed = new Exposed();
    let garbage: object[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      garbage.push({ i, text: `item ${i}` });
      if (garbage.length > 100_000) garbage = [];
    }
    const before = exposed.heapNow();
    exposed.collectNow();
    expect(exposed.heapNow()).toBeLessThan(before);
  });
});
