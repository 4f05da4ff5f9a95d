import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { startApp, type TestApp } from '../support/app.js';
import { report } from '../support/faults.js';
import { magnetOf } from '../support/links.js';
import { versionsUnderTest } from '../support/real-qbittorrent.js';
import { heldBy, onTwo, ready } from '../support/real-holdings.js';
import {
  compileService,
  type ServiceProcess,
  startServiceProcess,
} from '../support/service-process.js';

/** As several-qbittorrents.int-spec.ts: mixed versions in test:compat's last run, else three of one. */
const versions =
  process.env.QBT_MIXED_VERSIONS?.split(',').map((version) => version.trim()) ??
  Array.from({ length: 3 }, () => versionsUnderTest()[0]);
const PASSWORD = 'replicas-and-kills';
const GiB = 1024 ** 3;
const ROUNDS = 20;
const LINKS = 30;
const BATCH = 600;

interface ItemResult {
  url: string;
  hash: string;
  status: 'accepted' | 'failed';
  reason: string | null;
}

const items = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ url: magnetOf(from + i), link_id: from + i }));

describe(`several real qBittorrents (${versions.join(', ')}): replicas, and an instance killed mid-batch`, () => {
  let qbittorrents: RunningQbittorrent[] = [];
  const env = () => ({
    QBITTORRENT_URL: qbittorrents.map((qbittorrent) => qbittorrent.url).join(','),
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: PASSWORD,
  });

  beforeAll(async () => {
    // Save paths on tmpfs folders of one size: room is real, and equal (a qBittorrent in a fresh
    // chroot reports -1 for a folder on the chroot's own file system).
    qbittorrents = await Promise.all(
      versions.map((version) =>
        startQbittorrent({ version, password: PASSWORD, downloadFolderBytes: 50 * GiB }),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(qbittorrents.map((qbittorrent) => qbittorrent.stop()));
  });

  it(`never leaves a hash on two instances when two service processes add the same ${LINKS} links at once, ${ROUNDS} rounds`, async () => {
    const main = compileService('replicas');
    const replicas: ServiceProcess[] = [];
    try {
      replicas.push(...(await Promise.all([0, 1].map(() => startServiceProcess(main, env())))));
      // Both know each instance's room before the first round.
      for (const replica of replicas) await ready(replica.url);
      const duplicates: number[] = [];
      const answeredFrom: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const batch = items(0x10000 + round * LINKS, LINKS);
        // In opposite orders: each replica's adds in flight differ, and so may its placements.
        const [one, two] = await Promise.all([
          request(replicas[0].url).post('/downloads').send({ items: batch }),
          request(replicas[1].url)
            .post('/downloads')
            .send({ items: [...batch].reverse() }),
        ]);
        const results = [...one.body.results, ...two.body.results] as ItemResult[];
        expect(results.filter((result) => result.status !== 'accepted')).toEqual([]);
        duplicates.push((await onTwo(qbittorrents)).length);
        answeredFrom.push(new Set(results.map((result) => result.hash)).size);
      }
      expect(duplicates).toEqual(Array.from({ length: ROUNDS }, () => 0));
      expect(answeredFrom).toEqual(Array.from({ length: ROUNDS }, () => LINKS));
      const held = await Promise.all(qbittorrents.map((qbittorrent) => heldBy(qbittorrent)));
      report(
        `two service processes, the same ${LINKS} links at once, ${ROUNDS} rounds`,
        `duplicates per round: ${duplicates.join(' ')}; held ${held.map((hashes) => hashes.size).join(' / ')}`,
      );
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }, 300_000);

  it(`answers a batch of ${BATCH} during which an instance is killed: accepted where it is held, once, after that instance restarts`, async () => {
    let sut: TestApp | undefined;
    const dying = qbittorrents[1];
    try {
      sut = await startApp(env());
      await ready(sut);
      const started = performance.now();
      const batch = request(sut.app.getHttpServer())
        .post('/downloads')
        .send({ items: items(0x20000, BATCH) });
      const pending = batch.then((response) => response);
      await sleep(200);
      process.kill(dying.pid, 'SIGKILL');
      await dying.exited;
      const response = await pending;
      const answeredMs = performance.now() - started;
      const results = response.body.results as ItemResult[];
      expect(results).toHaveLength(BATCH);
      const accepted = results.filter((result) => result.status === 'accepted');
      const failed = results.filter((result) => result.status === 'failed');
      for (const result of failed) {
        expect(result.reason).toMatch(
          /stopped answering (while adding the torrent|right after it listed torrent)/,
        );
      }
      expect(accepted.length).toBeGreaterThanOrEqual(0.9 * BATCH);

      await dying.restart();
      const restarted = performance.now();
      await Promise.all(qbittorrents.map((qbittorrent) => heldBy(qbittorrent, true)));
      // 4.2.5 can bring back a second copy the replicas above removed from it: the service keeps
      // one once it has seen the instance back (DuplicateSweep).
      let shared = await onTwo(qbittorrents);
      const backTwice = shared.length;
      while (shared.length > 0 && performance.now() - restarted < 60_000) {
        await sleep(200);
        shared = await onTwo(qbittorrents);
      }
      const settledMs = performance.now() - restarted;
      expect(shared).toEqual([]);
      const held = await Promise.all(qbittorrents.map((qbittorrent) => heldBy(qbittorrent)));
      for (const { hash } of accepted) {
        expect([hash, held.filter((hashes) => hashes.has(hash)).length]).toEqual([hash, 1]);
      }
      const backOnDying = failed.filter(({ hash }) => held[1].has(hash)).length;
      report(
        `${BATCH} magnets over three, one SIGKILLed 0.2 s in`,
        `${accepted.length} accepted, ${failed.length} failed with the reason (${backOnDying} of them held by it after its restart), answered in ${Math.round(answeredMs)} ms; each accepted held once, no hash on two ${Math.round(settledMs)} ms after the restart (${backTwice} on two at first)`,
      );
    } finally {
      await sut?.close();
    }
  }, 300_000);
});

describe(`one real qBittorrent (${versionsUnderTest()[0]}) killed mid-batch`, () => {
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp | undefined;

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({ version: versionsUnderTest()[0], password: PASSWORD });
  });

  afterAll(async () => {
    await sut?.close();
    await qbittorrent.stop();
  });

  it(`keeps, after its restart, every torrent of a batch of ${BATCH} that was answered accepted`, async () => {
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_USER: 'admin',
      QBITTORRENT_PASSWORD: PASSWORD,
    });
    await ready(sut);
    const pending = request(sut.app.getHttpServer())
      .post('/downloads')
      .send({ items: items(0x30000, BATCH) })
      .then((response) => response);
    // In the middle: once it holds a third of the batch, whatever the speed of this machine.
    while ((await heldBy(qbittorrent)).size < BATCH / 3) await sleep(10);
    process.kill(qbittorrent.pid, 'SIGKILL');
    await qbittorrent.exited;
    const results = (await pending).body.results as ItemResult[];
    await qbittorrent.restart();
    const held = await heldBy(qbittorrent, true);
    const accepted = results.filter((result) => result.status === 'accepted');
    expect(accepted.map(({ hash }) => hash).filter((hash) => !held.has(hash))).toEqual([]);
    const failed = results.length - accepted.length;
    // Killed in the middle: some were answered accepted, some failed (else this proves nothing).
    expect(accepted.length).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    report(
      `${BATCH} magnets, qBittorrent SIGKILLed once it held a third of them, and restarted`,
      `${accepted.length} accepted, all held after the restart (${held.size} held); ${failed} failed with the reason`,
    );
  }, 300_000);
});
