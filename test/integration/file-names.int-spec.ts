import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
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

    const renamed = `renamed-${seed.fileName}`;
    const answer = await webui('torrents/renameFile', {
      hash: seed.hash,
      oldPath: seed.fileName,
      newPath: renamed,
    });
    expect(answer.status).toBe(200);
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
