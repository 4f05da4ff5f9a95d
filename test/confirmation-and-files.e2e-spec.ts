import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TorrentRepository } from '../src/downloads/torrents/torrent.repository.js';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { hashOf, magnetOf } from './support/links.js';

/** Adds confirmed in shared list calls, and file names read once per torrent. */
describe.each(DIALECTS)('confirmation and file lists, against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const infoCalls = () => qbittorrent.callsTo('torrents/info').length;
  const filesCalls = () => qbittorrent.callsTo('torrents/files').length;
  const addCalls = () => qbittorrent.callsTo('torrents/add').length;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
    await http().get('/health/ready'); // logged in, settings read
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  /** Renames a file through qBittorrent's WebUI, as a person in its WebUI would. */
  async function renameFile(hash: string, oldPath: string, newPath: string): Promise<void> {
    const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin', password: 'adminadmin' }),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';', 1)[0];
    const renamed = await fetch(`${qbittorrent.url}/api/v2/torrents/renameFile`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ hash, oldPath, newPath }),
    });
    expect(renamed.status).toBe(200);
  }

  it('confirms 32 concurrent adds in at most 3 list calls', async () => {
    // 32 adds in flight at once, as under load: qBittorrent answers them together (in one
    // process the requests would otherwise reach the service one after another).
    qbittorrent.inject('torrents/add', { kind: 'barrier', calls: 32 }, 32);
    const before = infoCalls();
    const responses = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        http()
          .post('/download')
          .send({ link_id: i + 1, url: magnetOf(i + 1) }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(32).fill(201));
    expect(infoCalls() - before).toBeLessThanOrEqual(3);
    expect(addCalls()).toBe(32);
  });

  it.each([50, 400])(
    'accepts a torrent qBittorrent lists %i ms late, without adding it again',
    async (ms) => {
      qbittorrent.listAfterMs = ms;
      const started = Date.now();
      const response = await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('accepted');
      expect(Date.now() - started).toBeGreaterThanOrEqual(ms);
      expect(addCalls()).toBe(1);
      // Looked at again with growing waits, not every few milliseconds.
      expect(infoCalls()).toBeLessThanOrEqual(12);
    },
  );

  it('fails a torrent never listed, after adding it once more', async () => {
    qbittorrent.listAfterMs = 60_000;
    const response = await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    expect(response.status).toBe(500);
    expect(response.body.status).toBe('error');
    expect(addCalls()).toBe(2);
  });

  it('answers a repeated poll of 1,000 with one info call and no files call', async () => {
    for (let n = 1; n <= 1000; n++) {
      qbittorrent.torrents.set(hashOf(n), {
        ...(await addedDirectly(n)),
      });
    }
    const hashes = Array.from({ length: 1000 }, (_, i) => hashOf(i + 1)).join(',');
    const first = await http().get(`/downloads?hashes=${hashes}`);
    expect(first.status).toBe(200);
    expect(filesCalls()).toBe(1000);
    expect(sut.app.get(TorrentRepository).cachedFileLists).toBe(1000);

    const [info, files] = [infoCalls(), filesCalls()];
    const second = await http().get(`/downloads?hashes=${hashes}`);
    expect(second.body).toEqual(first.body);
    expect(infoCalls() - info).toBe(1);
    expect(filesCalls() - files).toBe(0);
  });

  it("shows a renamed file's new name at once (single-file torrent), and reads files again when it completes", async () => {
    await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    qbittorrent.complete(hashOf(1), 100);
    const poll = async () =>
      (await http().get(`/downloads?hashes=${hashOf(1)}`)).body.statuses[0] as {
        files: string[];
        content_path: string;
      };
    expect((await poll()).files).toEqual(['/downloads/episode-1']);
    await renameFile(hashOf(1), 'episode-1', 'Show - 01.mkv');
    const renamed = await poll();
    if (!qbittorrent.spec.contentPath) {
      // Before WebAPI 2.6.1 no field shows a rename: the names kept are read again within an hour.
      expect(renamed.files).toEqual(['/downloads/episode-1']);
      expect(renamed.content_path).toBe('/downloads/episode-1'); // from its one file
      return;
    }
    expect(renamed.files).toEqual(['/downloads/Show - 01.mkv']);
    expect(renamed.content_path).toBe('/downloads/Show - 01.mkv');
  });

  it('forgets the file names of a torrent qBittorrent no longer holds', async () => {
    await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    await http()
      .post('/download')
      .send({ link_id: 2, url: magnetOf(2) });
    qbittorrent.complete(hashOf(1), 100);
    qbittorrent.complete(hashOf(2), 100);
    const repository = sut.app.get(TorrentRepository);
    await http().get(`/downloads?hashes=${hashOf(1)},${hashOf(2)}`);
    expect(repository.cachedFileLists).toBe(2);

    qbittorrent.torrents.delete(hashOf(1)); // removed in qBittorrent's WebUI
    const polled = await http().get(`/downloads?hashes=${hashOf(1)},${hashOf(2)}`);
    expect(polled.body.statuses[0].status).toBe('not_found');
    expect(repository.cachedFileLists).toBe(1);

    qbittorrent.torrents.delete(hashOf(2));
    await http().get('/downloads'); // a complete listing forgets everything not in it
    expect(repository.cachedFileLists).toBe(0);
  });

  it('reads the files of a torrent removed and added again', async () => {
    await http()
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    qbittorrent.complete(hashOf(1), 100);
    await http().get(`/downloads?hashes=${hashOf(1)}`);
    const files = filesCalls();

    const torrent = qbittorrent.torrents.get(hashOf(1));
    if (!torrent) throw new Error('the torrent is gone');
    qbittorrent.torrents.set(hashOf(1), {
      ...torrent,
      added_on: torrent.added_on + 60, // added again, a minute later
      files: [{ name: 'Show/Show - 01.mkv', size: 100 }],
    });
    const polled = await http().get(`/downloads?hashes=${hashOf(1)}`);
    expect(filesCalls() - files).toBe(1);
    expect(polled.body.statuses[0].files).toEqual(['/downloads/Show/Show - 01.mkv']);
  });

  /** A completed single-file torrent as qBittorrent lists it, placed without the service. */
  async function addedDirectly(n: number) {
    await Promise.resolve();
    return {
      hash: hashOf(n),
      name: `episode-${n}.mkv`,
      state: 'stalledUP',
      progress: 1,
      size: 100,
      total_size: 100,
      completed: 100,
      downloaded: 100,
      amount_left: 0,
      dlspeed: 0,
      eta: 8_640_000,
      save_path: '/downloads',
      content_path: `/downloads/episode-${n}.mkv`,
      category: '',
      tags: '',
      added_on: 1_700_000_000,
      completion_on: 1_700_000_100,
      infohash_v1: hashOf(n),
      infohash_v2: '',
      num_seeds: 0,
      num_complete: 0,
      availability: 1,
      last_activity: 1_700_000_100,
      files: [{ name: `episode-${n}.mkv`, size: 100 }],
    };
  }
});
