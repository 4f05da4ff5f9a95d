import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Maindata } from '../wire/maindata.js';
import { InstanceView, PENDING_MS } from './instance-view.js';

const GiB = 1024 ** 3;
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const full = (torrents: Maindata['torrents'], freeSpaceOnDisk?: number): Maindata => ({
  rid: 1,
  fullUpdate: true,
  torrents,
  removed: [],
  server: freeSpaceOnDisk === undefined ? {} : { freeSpaceOnDisk },
});

describe(InstanceView.name, () => {
  let now: number;
  let sut: InstanceView;

  beforeEach(() => {
    now = 1_000_000;
    sut = new InstanceView(() => now);
  });

  it('knows nothing before its first read: rid 0, room unknown', () => {
    expect(sut.nextRid).toBe(0);
    expect(sut.room).toBeNull();
    expect(sut.incomplete).toBe(0);
    expect(sut.syncedAt).toBeNull();
  });

  it('counts room as free space minus what incomplete torrents still need', () => {
    sut.apply(
      full(
        {
          [A]: { amount_left: 3 * GiB, progress: 0.25 },
          [B]: { amount_left: 0, progress: 1 },
          [C]: { amount_left: 0, progress: 0 }, // a magnet without metadata
        },
        50 * GiB,
      ),
    );
    expect(sut.freeSpaceOnDisk).toBe(50 * GiB);
    expect(sut.room).toBe(47 * GiB);
    expect(sut.incomplete).toBe(2);
    expect(sut.holds(B)).toBe(true);
    expect(sut.nextRid).toBe(1);
    expect(sut.syncedAt).toBe(now);
  });

  it('applies deltas: changed fields, new torrents, removals, and free space only when sent', () => {
    sut.apply(full({ [A]: { amount_left: 3 * GiB, progress: 0.25 } }, 50 * GiB));
    sut.apply({
      rid: 2,
      fullUpdate: false,
      torrents: { [A]: { progress: 1 }, [B]: { amount_left: GiB, progress: 0 } },
      removed: [],
      server: {},
    });
    expect(sut.room).toBe(49 * GiB); // A done, B new; free space unchanged
    expect(sut.incomplete).toBe(1);
    sut.apply({
      rid: 3,
      fullUpdate: false,
      torrents: {},
      removed: [B],
      server: { freeSpaceOnDisk: 40 * GiB },
    });
    expect(sut.room).toBe(40 * GiB);
    expect(sut.holds(B)).toBe(false);
    expect(sut.size).toBe(1);
  });

  it('replaces everything on a full update', () => {
    sut.apply(full({ [A]: { amount_left: GiB, progress: 0 } }, 10 * GiB));
    sut.apply(full({ [B]: { amount_left: 2 * GiB, progress: 0 } }));
    expect(sut.holds(A)).toBe(false);
    expect(sut.room).toBe(8 * GiB);
  });

  it.each([0, -1])('reads a free space of %i (not checked yet; 4.2.5) as unknown', (free) => {
    sut.apply(full({}, free));
    expect(sut.room).toBeNull();
  });

  it('counts our own adds at once, until the maindata shows them', () => {
    sut.apply(full({}, 100 * GiB));
    sut.hold(A, 30 * GiB); // a .torrent of 30 GiB
    sut.hold(B); // a magnet: size unknown
    sut.hold(A); // listed later: its size stays counted
    expect(sut.room).toBe(70 * GiB);
    expect(sut.incomplete).toBe(2);
    expect(sut.holds(A)).toBe(true);
    sut.apply({
      rid: 2,
      fullUpdate: false,
      torrents: { [A]: { amount_left: 30 * GiB, progress: 0 } },
      removed: [],
      server: {},
    });
    expect(sut.room).toBe(70 * GiB); // counted once, from the maindata now
    expect(sut.incomplete).toBe(2);
  });

  it('forgets an add of ours the maindata never shows', () => {
    sut.apply(full({}, 100 * GiB));
    sut.hold(A, 30 * GiB);
    now += PENDING_MS;
    expect(sut.holds(A)).toBe(false);
    expect(sut.room).toBe(100 * GiB);
  });

  it('asks for everything again after a reset, and forgets a torrent dropped', () => {
    sut.apply(full({ [A]: { amount_left: GiB, progress: 0 } }, 10 * GiB));
    sut.reset();
    expect(sut.nextRid).toBe(0);
    sut.drop(A);
    expect(sut.holds(A)).toBe(false);
    expect(sut.room).toBe(10 * GiB);
  });

  it('keeps what each torrent last reported, a delta changing only the fields it names', () => {
    sut.apply(
      full({
        [A]: {
          state: 'metaDL',
          tracker: '',
          num_seeds: 0,
          added_on: 100,
          amount_left: 0,
          progress: 0,
        },
      }),
    );
    sut.apply({
      rid: 2,
      fullUpdate: false,
      torrents: { [A]: { tracker: 'http://tracker.test/announce', num_complete: 4 } },
      removed: [],
      server: {},
    });
    expect([...sut.listedTorrents()]).toEqual([
      expect.objectContaining({
        state: 'metaDL',
        tracker: 'http://tracker.test/announce',
        num_seeds: 0,
        num_complete: 4,
        added_on: 100,
      }),
    ]);
  });

  it('keeps the DHT nodes and connection status each answer reported, a delta only what changed', () => {
    expect(sut.dhtNodes).toBeNull();
    expect(sut.connectionStatus).toBeNull();
    sut.apply({ ...full({}), server: { dhtNodes: 312, connectionStatus: 'connected' } });
    sut.apply({ rid: 2, fullUpdate: false, torrents: {}, removed: [], server: { dhtNodes: 0 } });
    expect(sut.dhtNodes).toBe(0);
    expect(sut.connectionStatus).toBe('connected');
  });
});
