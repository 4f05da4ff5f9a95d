import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { newQbittorrentPool } from '../testing/qbittorrent-instance.builder.js';
import {
  QbittorrentTimeoutError,
  QbittorrentUnavailableError,
  V2OnlyUnsupportedError,
} from '../wire/qbittorrent.errors.js';
import {
  AddMayHaveReachedError,
  AllInstancesFailedError,
  HolderDownError,
  NoRoomError,
} from './pool.errors.js';
import type { QbittorrentPool } from './qbittorrent-pool.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const MAGNET = { hash: HASH, v1Hash: HASH, size: 0 };
const GiB = 1024 ** 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const down = (url = 'http://127.0.0.1:1') => new QbittorrentUnavailableError(url, 'ECONNREFUSED');
const options = { what: 'reading the version', operation: 'version' };

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('not in time');
    await sleep(10);
  }
}

describe('QbittorrentPool', () => {
  let fakes: FakeQbittorrent[] = [];
  let sut: QbittorrentPool;
  const labels = () => fakes.map((fake) => `127.0.0.1:${fake.port}`);
  /** Marks an instance down the only way the pool allows: a call to it that fails as a whole. */
  const fail = (label: string) => sut.callOnce(label, () => Promise.reject(down())).catch(() => {});

  beforeAll(() => {
    Logger.overrideLogger(false); // its health lines; what it does is asserted instead
  });

  afterEach(async () => {
    sut.onApplicationShutdown();
    await Promise.all(fakes.map((fake) => fake.stop().catch(() => undefined)));
    fakes = [];
  });

  describe('of one qBittorrent', () => {
    const start = async () => {
      fakes = [await FakeQbittorrent.start({ dialect: '5.3.0' })];
      sut = newQbittorrentPool([fakes[0].url]);
      return labels()[0];
    };

    it('names it "qBittorrent" and reads nothing in the background', async () => {
      const label = await start();
      sut.onApplicationBootstrap();
      await sut.call(label, (client) => client.getVersion(), options);
      await sleep(100);
      expect(sut.nameOf(label)).toBe('qBittorrent');
      expect(fakes[0].calls.map((call) => call.endpoint)).not.toContain('sync/maindata');
    });

    it('retries a failure of the instance as a whole, and a listing throws it as it is', async () => {
      const label = await start();
      await fakes[0].stop();
      const failure = sut.call(label, (client) => client.getVersion(), options);
      await expect(failure).rejects.toMatchObject({ attempts: 3, cause: expect.any(Error) });
      await expect(sut.onEach(() => Promise.reject(down()))).rejects.toThrow(/ECONNREFUSED/);
    });

    it('still asks it, and places on it, once it is known down', async () => {
      const label = await start();
      await fail(label);
      const send = jest.fn((to: string) => Promise.resolve(to));
      await expect(sut.place(MAGNET, send)).resolves.toEqual({ label, value: label });
      const { answers } = await sut.onEach((to) => Promise.resolve(to));
      expect(answers).toEqual([{ label, value: label }]);
    });

    it('answers an add it can no longer confirm with the failure itself', async () => {
      const label = await start();
      const failure = new RetryFailedError('reading torrents', 3, true, down());
      expect(sut.inDoubt(label, failure)).toBe(failure);
      await expect(sut.place(MAGNET, () => Promise.reject(failure))).rejects.toBe(failure);
    });

    it('says it is back as soon as it answers again, and that it shares nothing', async () => {
      const label = await start();
      const back: string[] = [];
      sut.onBack((one) => void back.push(one));
      await sut.callOnce(label, (client) => client.getVersion());
      await fail(label);
      expect(back).toEqual([]);
      await sut.callOnce(label, (client) => client.getVersion());
      await sut.callOnce(label, (client) => client.getVersion());
      expect(back).toEqual([label]);
      expect(sut.sharedWithOthers(label)).toEqual([]);
    });

    it('keeps it in view once asked (the first scrape), and still adds to it whatever its room', async () => {
      const label = await start();
      fakes[0].freeSpace = 1;
      sut.onApplicationBootstrap();
      expect(sut.snapshots()).toEqual([]); // nothing read: nothing to count
      sut.keepAllInView();
      sut.keepAllInView(); // once is enough
      await until(() => sut.snapshots().length === 1);
      expect(fakes[0].callsTo('sync/maindata').length).toBeGreaterThan(0);
      const [snapshot] = sut.snapshots();
      expect(snapshot.label).toBe(label);
      // Its settings, read in the background once asked for (at most once a minute): queueing
      // on, three slots, slow torrents counted.
      await until(() => sut.snapshots()[0].queueing !== null);
      expect(sut.snapshots()[0].queueing).toEqual({ downloadSlots: 3, stalledHoldSlots: true });
      expect(fakes[0].callsTo('app/preferences')).toHaveLength(1);
      sut.snapshots();
      expect(fakes[0].callsTo('app/preferences')).toHaveLength(1);
      const send = jest.fn((to: string) => Promise.resolve(to));
      await expect(sut.place({ ...MAGNET, size: 10 * GiB }, send)).resolves.toEqual({
        label,
        value: label,
      });
    });

    it('says it is back at once even while kept in view', async () => {
      const label = await start();
      sut.keepAllInView();
      const back: string[] = [];
      sut.onBack((one) => void back.push(one));
      await fail(label);
      await sut.callOnce(label, (client) => client.getVersion());
      expect(back).toEqual([label]);
    });
  });

  describe('of several qBittorrents', () => {
    const start = async (count = 3) => {
      fakes = await Promise.all(
        Array.from({ length: count }, () => FakeQbittorrent.start({ dialect: '5.3.0' })),
      );
      sut = newQbittorrentPool(fakes.map((fake) => fake.url));
      return labels();
    };

    it('names each by its address', async () => {
      const [a] = await start(2);
      expect(sut.nameOf(a)).toBe(`qBittorrent at ${a}`);
    });

    it('does not retry a failure of an instance as a whole: it is marked down', async () => {
      const [a] = await start(2);
      await fakes[0].stop();
      const failure = sut.call(a, (client) => client.getVersion(), options);
      await expect(failure).rejects.toMatchObject({ attempts: 1 });
      expect(sut.othersThan(labels()[1])).toEqual([]);
    });

    it('leaves one known down out of a listing, and reports one that fails', async () => {
      const [a, b, c] = await start();
      await fail(a);
      const asked: string[] = [];
      const fanout = await sut.onEach((label) => {
        asked.push(label);
        return label === b ? Promise.reject(down()) : Promise.resolve(label);
      });
      expect(asked.sort()).toEqual([b, c].sort());
      expect(fanout.answers).toEqual([{ label: c, value: c }]);
      expect(fanout.unreachable.map(({ label }) => label).sort()).toEqual([a, b].sort());
    });

    it('fails an add over from an instance that is down, naming every one when none can take it', async () => {
      await start();
      const tried: string[] = [];
      const failing = (label: string) => {
        tried.push(label);
        return sut.call(label, () => Promise.reject(down()), options);
      };
      const error = await sut.place(MAGNET, failing).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AllInstancesFailedError);
      expect(tried.sort()).toEqual(labels().sort());
      for (const label of labels()) expect((error as Error).message).toContain(label);
      // Now known down, they are not tried again: the error still names them.
      tried.length = 0;
      await expect(sut.place(MAGNET, failing)).rejects.toBeInstanceOf(AllInstancesFailedError);
      expect(tried).toEqual([]);
    });

    it('places nowhere else an add that may have reached an instance that stopped answering', async () => {
      await start();
      const tried: string[] = [];
      const sentNoAnswer = (label: string) => {
        tried.push(label);
        const silent = new QbittorrentTimeoutError('torrents/add', 2000, true);
        return Promise.reject(new RetryFailedError('adding', 1, false, silent));
      };
      const error = await sut.place(MAGNET, sentNoAnswer).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AddMayHaveReachedError);
      expect((error as AddMayHaveReachedError).label).toBe(tried[0]);
      expect(tried).toHaveLength(1);
      expect(sut.inDoubt(tried[0], new RetryFailedError('x', 1, false, down()))).toBeInstanceOf(
        AddMayHaveReachedError,
      );
    });

    it('tries a v2-only torrent on the next where one cannot take it', async () => {
      await start(2);
      const v2 = new V2OnlyUnsupportedError(HASH, 'v4.2.5', '1.2.9.0');
      const send = jest.fn((label: string) =>
        send.mock.calls.length === 1 ? Promise.reject(v2) : Promise.resolve(label),
      );
      const placed = await sut.place(MAGNET, send);
      expect(send).toHaveBeenCalledTimes(2);
      expect(placed.label).toBe(send.mock.calls[1][0]);
      await expect(sut.place(MAGNET, () => Promise.reject(v2))).rejects.toBe(v2);
    });

    it('keeps a torrent on the instance that holds it, and places it nowhere while that one is down', async () => {
      const [a, b, c] = await start();
      sut.held(b, [HASH]);
      const send = jest.fn((label: string) => Promise.resolve(label));
      await expect(sut.place(MAGNET, send)).resolves.toMatchObject({ label: b });
      await fail(b);
      await expect(sut.place(MAGNET, send)).rejects.toBeInstanceOf(HolderDownError);
      expect(send).toHaveBeenCalledTimes(1);
      sut.released(b, [HASH]);
      await expect(sut.place(MAGNET, send)).resolves.toMatchObject({
        label: expect.stringMatching(new RegExp(`^(${a}|${c})$`)),
      });
    });

    it('says an instance is back once it has read it in full again, and what it shares with another', async () => {
      const [a, b] = await start(2);
      for (const fake of fakes) fake.holdForeign(HASH);
      fakes[0].holdForeign('a'.repeat(40));
      const back: { label: string; shared: string[] }[] = [];
      sut.onBack((label) => void back.push({ label, shared: sut.sharedWithOthers(label) }));
      sut.onApplicationBootstrap();
      await fail(a);
      for (let i = 0; i < 500 && back.length === 0; i++) await sleep(10); // probed after ~1 s
      expect(back).toEqual([{ label: a, shared: [HASH] }]);
      expect(sut.sharedWithOthers(b)).toEqual([HASH]);
    });

    it('places by room, counting the adds in flight, and refuses a .torrent that fits nowhere', async () => {
      await start(2);
      [fakes[0].freeSpace, fakes[1].freeSpace] = [10 * GiB, 50 * GiB];
      sut.onApplicationBootstrap();
      for (let i = 0; i < 200; i++) {
        const ready = await sut.readiness();
        const instances = ready.details.instances as { free_space_on_disk: number | null }[];
        if (instances.every((one) => one.free_space_on_disk !== null)) break;
        await sleep(20);
      }
      const big = labels()[1];
      await expect(sut.place(MAGNET, (label) => Promise.resolve(label))).resolves.toMatchObject({
        label: big,
      });
      const file = { hash: HASH, v1Hash: HASH, size: 80 * GiB };
      await expect(sut.place(file, (label) => Promise.resolve(label))).rejects.toBeInstanceOf(
        NoRoomError,
      );
      // A .torrent of 45 GiB counts as in flight to the big one, then as held there: 5 GiB are left
      // there, and the next magnet goes to the other, with 10.
      let release: () => void = () => {};
      const inFlight = sut.place({ hash: 'a'.repeat(40), v1Hash: null, size: 45 * GiB }, (label) =>
        new Promise<string>((resolve) => (release = () => resolve(label))).then((label) => {
          sut.held(label, ['a'.repeat(40)], 45 * GiB);
          return label;
        }),
      );
      await sleep(10);
      expect(sut.addsInFlight(big)).toBe(1);
      release();
      await expect(inFlight).resolves.toMatchObject({ label: big });
      await expect(sut.place(MAGNET, (label) => Promise.resolve(label))).resolves.toMatchObject({
        label: labels()[0],
      });
    });
  });
});
