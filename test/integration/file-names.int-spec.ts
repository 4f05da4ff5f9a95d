import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { isAtLeast } from '../../src/qbittorrent/wire/version.js';
import type { TestApp } from '../support/app.js';
import { startAppFor, versionsUnderTest } from '../support/real-qbittorrent.js';
import { type Seed, startSeeder } from '../support/seeder.js';

interface StatusEntry {
  status: string;
  files: string[];
  content_path: string | null;
}

/**
 * The file names the service keeps per torrent, against what real qBittorrent does: a rename
 * through its WebUI (`torrents/renameFile`, applied asynchronously, signalled by nothing but the
 * `content_path` of a single-file torrent), and a torrent removed and added again.
 */
describe.each(versionsUnderTest())('file names on real qBittorrent %s', (version) => {
  let seed: Seed;
  let downloader: RunningQbittorrent;
  let sut: TestApp;
  let cookie: string;
  const http = () => request(sut.app.getHttpServer());

  async function webui(path: string, form: Record<string, string>): Promise<Response> {
    return fetch(`${downloader.url}/api/v2/${path}`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams(form),
    });
  }

  async function status(): Promise<StatusEntry> {
    const response = await http().get(`/downloads?hashes=${seed.hash}`);
    return (response.body as { statuses: StatusEntry[] }).statuses[0];
  }

  async function until(what: string, done: (entry: StatusEntry) => boolean): Promise<StatusEntry> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const entry = await status();
      if (done(entry)) return entry;
      if (Date.now() > deadline) throw new Error(`${what}: last ${JSON.stringify(entry)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** torrents/files calls the service made so far, from its own metrics. */
  async function filesCalls(): Promise<number> {
    const metrics = (await http().get('/metrics')).text;
    return metrics
      .split('\n')
      .filter((line) =>
        line.startsWith(
          'downloader_qbittorrent_request_duration_seconds_count{operation="torrents/files"',
        ),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  beforeAll(async () => {
    seed = await startSeeder(version);
    downloader = await startQbittorrent({ version });
    sut = await startAppFor(downloader);
    const login = await fetch(`${downloader.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: downloader.username, password: downloader.password }),
    });
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';', 1)[0];
  });

  afterAll(async () => {
    await sut?.close();
    await downloader?.stop();
    await seed?.qbittorrent.stop();
  });

  it('reads the files once, then shows a renamed file under its new name', async () => {
    const added = await http().post('/download').send({ link_id: 1, url: seed.magnet });
    expect(added.body.status).toBe('accepted');
    const savePath = downloader.instancePath(downloader.downloadDir);
    const first = await until('metadata', (entry) => entry.files.length > 0);
    expect(first.files).toEqual([`${savePath}/${seed.fileName}`]);

    const before = await filesCalls();
    await status();
    await status();
    expect(await filesCalls()).toBe(before); // known: not asked again

    // Renamed once complete: a completion is a sign of change of its own (the names are read again).
    await until('completed', (entry) => entry.status === 'completed');
    const known = await filesCalls();
    const renamed = `renamed-${seed.fileName}`;
    const { webApi } = await sut.client.login();
    // WebAPI 2.8.0 renamed the fields (from the file's index and new name).
    const answer = await webui(
      'torrents/renameFile',
      isAtLeast(webApi, [2, 8, 0])
        ? { hash: seed.hash, oldPath: seed.fileName, newPath: renamed }
        : { hash: seed.hash, id: '0', name: renamed },
    );
    expect(answer.status).toBe(200);
    if (!isAtLeast(webApi, [2, 6, 1])) {
      // Before WebAPI 2.6.1 nothing listed shows a rename (no content_path): the names known are
      // kept (re-read on completion, or within FILE_NAMES_MAX_AGE_MS), and not asked for again.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await status()).files).toEqual([`${savePath}/${seed.fileName}`]);
      expect(await filesCalls()).toBe(known);
      return;
    }
    const after = await until('the new name', (entry) =>
      entry.files.includes(`${savePath}/${renamed}`),
    );
    expect(after.files).toEqual([`${savePath}/${renamed}`]);
    expect(after.content_path).toBe(`${savePath}/${renamed}`);
  });

  it('reads the files of a torrent removed and added again', async () => {
    const deleted = await webui('torrents/delete', { hashes: seed.hash, deleteFiles: 'true' });
    expect(deleted.status).toBe(200);
    await until('removed', (entry) => entry.status === 'not_found');

    const added = await http().post('/download').send({ link_id: 2, url: seed.magnet });
    expect(added.body.status).toBe('accepted');
    const savePath = downloader.instancePath(downloader.downloadDir);
    const again = await until('metadata again', (entry) => entry.files.length > 0);
    expect(again.files).toEqual([`${savePath}/${seed.fileName}`]);
  });
});
