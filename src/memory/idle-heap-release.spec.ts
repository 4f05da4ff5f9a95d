import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { HEAP_GROWTH_BYTES, IdleHeapRelease } from './idle-heap-release.js';

const MIB = 1024 * 1024;

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

  it('collects once the service is idle with a grown heap, and not again until it grows again', () => {
    const run = started();
    release = run.release;
    run.request()();
    release.heap += HEAP_GROWTH_BYTES;
    release.check(); // a request since the last look: not idle yet
    expect(release.collections).toBe(0);
    release.check();
    expect(release.collections).toBe(1);
    release.check();
    expect(release.collections).toBe(1);
    release.heap += HEAP_GROWTH_BYTES;
    release.check();
    expect(release.collections).toBe(2);
  });

  it('waits while a request is in progress, however long it takes', () => {
    const run = started();
    release = run.release;
    const answer = run.request();
    release.heap += 2 * HEAP_GROWTH_BYTES;
    release.check();
    release.check();
    expect(release.collections).toBe(0);
    answer();
    release.check();
    expect(release.collections).toBe(1);
  });

  it('counts health probes and metric scrapes as idle', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES;
    run.request('/health');
    run.request('/metrics');
    release.check();
    expect(release.collections).toBe(1);
  });

  it('collects too when the resident memory grew over a heap that grew less', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES / 2;
    release.resident += HEAP_GROWTH_BYTES;
    release.check();
    expect(release.collections).toBe(1);
  });

  it('leaves a heap that grew less than the threshold alone', () => {
    const run = started();
    release = run.release;
    release.heap += HEAP_GROWTH_BYTES - 1;
    release.check();
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
