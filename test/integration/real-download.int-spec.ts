import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import type { TestApp } from '../support/app.js';
import { startAppFor, versionsUnderTest, waitForTorrent } from '../support/real-qbittorrent.js';
import { type Seed, startSeeder } from '../support/seeder.js';

describe.each(versionsUnderTest())('a real download on qBittorrent %s', (version) => {
  let seed: Seed;
  let downloader: RunningQbittorrent;
  let sut: TestApp;
  let client: QbittorrentClient;

  beforeAll(async () => {
    seed = await startSeeder(version);
    downloader = await startQbittorrent({ version });
    sut = await startAppFor(downloader);
    client = sut.client;
  });

  afterAll(async () => {
    await sut?.close();
    await downloader?.stop();
    await seed?.qbittorrent.stop();
  });

  it('downloads the seeded file from a magnet, byte for byte, reports it, then deletes it with its files', async () => {
    const savePath = downloader.instancePath(`${downloader.downloadDir}/episodes`);
    const http = () => request(sut.app.getHttpServer());
    const response = await http()
      .post('/download')
      .send({ link_id: 2001, url: seed.magnet, save_path: savePath });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ status: 'accepted', hash: seed.hash, error: null });

    const done = await waitForTorrent(
      client,
      seed.hash,
      (torrent) => torrent?.progress === 1,
      60_000,
    );
    expect(done?.size).toBe(seed.size);
    const status = await http().get(`/downloads?hashes=${seed.hash}`);
    // As the service reports it (4.2.5 reports no content_path: it is worked out from the files).
    const path = downloader.hostPath(status.body.statuses[0].content_path ?? '');
    expect(path).toBe(downloader.hostPath(`${savePath}/${seed.fileName}`));
    const bytes = await readFile(path);
    expect(bytes.length).toBe(seed.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(seed.sha256);

    expect(status.body.statuses[0]).toMatchObject({
      hash: seed.hash,
      status: 'completed',
      progress: 1,
      size: seed.size,
      downloaded: seed.size,
      save_path: savePath,
      link_id: 2001,
      files: [`${savePath}/${seed.fileName}`],
    });

    const deleted = await http().delete(`/downloads/${seed.hash}?delete_files=true`);
    expect(deleted.status).toBe(200);
    await waitForTorrent(client, seed.hash, (torrent) => torrent === null);
    const deadline = Date.now() + 10_000;
    while (existsSync(path) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(path)).toBe(false);
  });
});
