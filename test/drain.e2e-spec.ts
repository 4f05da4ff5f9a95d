import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { hashOf, magnetOf } from './support/links.js';

const GiB = 1024 ** 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** QBITTORRENT_DRAIN: instances that take no new torrent and keep everything else. */
describe('draining a qBittorrent (QBITTORRENT_DRAIN)', () => {
  let fakes: FakeQbittorrent[];
  let sut: TestApp;
  const labelOf = (fake: FakeQbittorrent) => `127.0.0.1:${fake.port}`;
  const http = () => request(sut.app.getHttpServer());
  const where = (hash: string) =>
    fakes.flatMap((fake, index) => (fake.torrents.has(hash) ? [index] : []));
  const start = (drain: FakeQbittorrent[]) =>
    startApp({
      QBITTORRENT_URL: fakes.map((fake) => fake.url).join(','),
      QBITTORRENT_DRAIN: drain.map(labelOf).join(','),
    });
  /** Readiness once every instance has told its free space. */
  async function synced(): Promise<request.Response> {
    for (let i = 0; i < 200; i++) {
      const ready = await http().get('/health/ready');
      const instances = ready.body.details?.qbittorrent?.instances as
        { free_space_on_disk: number | null }[] | undefined;
      if (instances?.every((one) => one.free_space_on_disk !== null)) return ready;
      await sleep(20);
    }
    throw new Error('the instances were never read');
  }

  beforeEach(async () => {
    fakes = await Promise.all(
      (['4.5.2', '5.1.0', '5.3.0'] as const).map((dialect) => FakeQbittorrent.start({ dialect })),
    );
    [fakes[0].freeSpace, fakes[1].freeSpace, fakes[2].freeSpace] = [500 * GiB, 50 * GiB, 40 * GiB];
  });

  afterEach(async () => {
    await sut.close();
    await Promise.all(fakes.map((fake) => fake.stop()));
  });

  it('places nothing new on a draining instance, even with the most room, and says so', async () => {
    sut = await start([fakes[0]]);
    const ready = await synced();
    expect(ready.status).toBe(200);
    const instances = ready.body.details.qbittorrent.instances as Record<string, unknown>[];
    expect(instances.map((one) => one.draining)).toEqual([true, false, false]);
    for (let n = 1; n <= 10; n++) {
      const added = await http()
        .post('/download')
        .send({ link_id: n, url: magnetOf(n) });
      expect(added.status).toBe(201);
      expect(where(hashOf(n))).not.toContain(0);
      expect(where(hashOf(n))).toHaveLength(1);
    }
    const metrics = (await http().get('/metrics')).text;
    expect(metrics).toContain(
      `downloader_qbittorrent_draining{qbittorrent="${labelOf(fakes[0])}"} 1`,
    );
    expect(metrics).toContain(
      `downloader_qbittorrent_draining{qbittorrent="${labelOf(fakes[1])}"} 0`,
    );
  });

  it('answers a re-add of a torrent it holds from it, and polls and controls it', async () => {
    const hash = hashOf(20);
    fakes[0].holdForeign(hash);
    sut = await start([fakes[0]]);
    await synced();
    const again = await http()
      .post('/download')
      .send({ link_id: 20, url: magnetOf(20) });
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('accepted');
    expect(where(hash)).toEqual([0]);
    expect(fakes[0].torrents.get(hash)?.tags).toContain('link:20');
    const polled = await http().get(`/downloads?hashes=${hash}`);
    expect(polled.body.statuses[0]).toMatchObject({ hash, status: 'downloading' });
    expect((await http().post(`/downloads/${hash}/pause`)).status).toBe(200);
    expect(fakes[0].torrents.get(hash)?.state).toMatch(/^(paused|stopped)DL$/);
    expect((await http().delete(`/downloads/${hash}`)).status).toBe(200);
    expect(where(hash)).toEqual([]);
  });

  it('answers adds error, with why, when every instance is draining, and readiness says so', async () => {
    sut = await start(fakes);
    const ready = await synced();
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toContain(
      'every qBittorrent is draining (QBITTORRENT_DRAIN): none takes new torrents',
    );
    const added = await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    expect(added.status).toBe(500);
    expect(added.body).toMatchObject({ status: 'error' });
    expect(JSON.stringify(added.body)).toMatch(/every one is draining \(QBITTORRENT_DRAIN/);
    expect(where(hashOf(1))).toEqual([]);
  });
});
