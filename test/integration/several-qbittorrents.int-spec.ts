import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { TestApp } from '../support/app.js';
import { startApp } from '../support/app.js';
import { decodeStatusQueryResponse } from '../support/core-contract.js';
import { report } from '../support/faults.js';
import { hashOf, magnetOf } from '../support/links.js';
import { directCookie, versionsUnderTest } from '../support/real-qbittorrent.js';
import { torrentOfSize } from '../support/torrent-files.js';
import { TorrentServer } from '../support/torrent-server.js';

const GiB = 1024 ** 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The three qBittorrents of this run: QBT_MIXED_VERSIONS (test:compat ends with 4.2.5, 5.1.0 and
 * 5.3.0 side by side), else three of the version under test.
 */
const versions =
  process.env.QBT_MIXED_VERSIONS?.split(',').map((version) => version.trim()) ??
  Array.from({ length: 3 }, () => versionsUnderTest()[0]);

/** Each qBittorrent's default save path is a tmpfs of this size: its free space is real. */
const FOLDERS = [20 * GiB, 100 * GiB, 50 * GiB];
const PASSWORD = 'several-qbittorrents';

interface ReadyInstance {
  instance: string;
  status: 'up' | 'down';
  version: string | null;
  free_space_on_disk: number | null;
  room: number | null;
}

/**
 * Three real qBittorrents (of mixed versions in test:compat) behind one service, each saving to a
 * tmpfs of its own: placement by the free space they report, a .torrent that fits nowhere, an
 * instance killed with SIGKILL (adds fail over, the poll answers what it held `unavailable`), and
 * the same instance back.
 */
describe(`several real qBittorrents (${versions.join(', ')})`, () => {
  let qbittorrents: RunningQbittorrent[] = [];
  let site: TorrentServer;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const [small, big, middle] = [0, 1, 2];
  const where = async (hash: string) => {
    const held: number[] = [];
    for (const [index, qbittorrent] of qbittorrents.entries()) {
      if (index === big && killed) continue;
      const torrents = await listOf(qbittorrent, hash);
      if (torrents.length > 0) held.push(index);
    }
    return held;
  };
  let killed = false;

  beforeAll(async () => {
    qbittorrents = await Promise.all(
      versions.map((version, i) =>
        startQbittorrent({ version, password: PASSWORD, downloadFolderBytes: FOLDERS[i] }),
      ),
    );
    site = await TorrentServer.start();
    sut = await startApp({
      QBITTORRENT_URL: qbittorrents.map((qbittorrent) => qbittorrent.url).join(','),
      QBITTORRENT_USER: 'admin',
      QBITTORRENT_PASSWORD: PASSWORD,
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
    });
  });

  afterAll(async () => {
    await sut?.close();
    await site?.stop();
    await Promise.all(qbittorrents.map((qbittorrent) => qbittorrent.stop()));
  });

  it('reads the free space each reports for its save path', async () => {
    // qBittorrent checks free space in the background from our login: the read after it tells.
    let instances: ReadyInstance[] = [];
    for (const started = Date.now(); Date.now() - started < 30_000;) {
      instances = (await http().get('/health/ready')).body.details.qbittorrent.instances;
      if (instances.every((one) => one.free_space_on_disk !== null)) break;
      await sleep(100);
    }
    expect(instances.map((one) => one.status)).toEqual(['up', 'up', 'up']);
    for (const [i, one] of instances.entries()) {
      expect(one.version).toBe(`v${versions[i]}`);
      // The tmpfs, empty: all of it, give or take a block.
      expect(one.free_space_on_disk).toBeGreaterThan(FOLDERS[i] - 64 * 1024 * 1024);
      expect(one.free_space_on_disk).toBeLessThanOrEqual(FOLDERS[i]);
    }
  });

  it('places each new torrent where there is most room, and a .torrent only where it fits', async () => {
    const magnet = await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(0xa1) });
    expect(magnet.status).toBe(201);
    expect(await where(hashOf(0xa1))).toEqual([big]);

    const sixty = torrentOfSize(60 * GiB);
    const thirty = torrentOfSize(30 * GiB);
    const fortyFive = torrentOfSize(45 * GiB);
    const add = (path: string, bytes: Buffer, linkId: number) =>
      http()
        .post('/download')
        .send({ link_id: linkId, url: site.file(path, bytes) });
    expect((await add('/60.torrent', sixty.bytes, 2)).status).toBe(201); // only 100 GiB fits
    expect(await where(sixty.id)).toEqual([big]);
    expect((await add('/30.torrent', thirty.bytes, 3)).status).toBe(201); // 50 GiB > 40 left
    expect(await where(thirty.id)).toEqual([middle]);
    const refused = await add('/45.torrent', fortyFive.bytes, 4); // 20, 40 and 20 GiB left
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatch(/^no qBittorrent has room for torrent .* \(45\.0 GiB\)/);
    expect(await where(fortyFive.id)).toEqual([]);
    report(
      `placement on real qBittorrents ${versions.join(', ')} with 20, 100 and 50 GiB tmpfs`,
      'magnet and 60 GiB to the 100 GiB one, 30 GiB to the 50 GiB one, 45 GiB refused with 507',
    );
  });

  it('fails over from an instance killed with SIGKILL, and answers the poll for what it held unavailable', async () => {
    process.kill(qbittorrents[big].pid, 'SIGKILL');
    await qbittorrents[big].exited;
    killed = true;
    const started = performance.now();
    const magnet = await http()
      .post('/download')
      .send({ link_id: 5, url: magnetOf(0xa5) });
    expect(magnet.status).toBe(201);
    expect(await where(hashOf(0xa5))).toEqual([small]); // 20 GiB, no incomplete torrent: before 50
    const failedOverMs = performance.now() - started;

    const hashes = [hashOf(0xa1), hashOf(0xa5)];
    const poll = await http().get(`/downloads?hashes=${hashes.join(',')}`);
    expect(poll.status).toBe(200);
    const statuses = decodeStatusQueryResponse(poll.body);
    expect(statuses.map((status) => status.status)).toEqual(['unavailable', 'downloading']);
    expect(poll.body.statuses[0].reason).toContain(`127.0.0.1:${qbittorrents[big].webuiPort}`);
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.qbittorrent.instances[big].status).toBe('down');
    report(
      'SIGKILL to the qBittorrent with the most room',
      `the next add failed over in ${Math.round(failedOverMs)} ms; its torrents answered unavailable; readiness 200`,
    );
  });

  it('takes the instance back once it answers again', async () => {
    await qbittorrents[big].restart();
    killed = false;
    const started = Date.now();
    let status = '';
    while (Date.now() - started < 60_000) {
      const poll = await http().get(`/downloads?hashes=${hashOf(0xa1)}`);
      status = poll.body.statuses[0].status as string;
      if (status !== 'unavailable') break;
      await sleep(250);
    }
    expect(status).toBe('downloading');
    report('the killed qBittorrent restarted', `seen back after ${Date.now() - started} ms`);
  });
});

/** What a real qBittorrent lists for one hash, asked directly. */
async function listOf(qbittorrent: RunningQbittorrent, hash: string): Promise<unknown[]> {
  const cookie = await directCookie(qbittorrent);
  const response = await fetch(`${qbittorrent.url}/api/v2/torrents/info?hashes=${hash}`, {
    headers: { cookie },
  });
  return (await response.json()) as unknown[];
}
