import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { FakeCoreService } from '../fakes/fake-core-service.js';
import type { TestApp } from '../support/app.js';
import {
  CORE_PROGRESS_STATUSES,
  decodeBatchCancelResponse,
  decodeBatchDownloadResponse,
  decodeServiceRegistration,
  decodeStatusQueryResponse,
  type DownloadStatusItem,
} from '../support/core-contract.js';
import {
  knowsV2,
  startAppFor,
  versionsUnderTest,
  waitForTorrent,
} from '../support/real-qbittorrent.js';
import { type Seed, startSeeder } from '../support/seeder.js';
import { makeTorrent } from '../support/torrent-files.js';
import { TorrentServer } from '../support/torrent-server.js';
import { hashOf } from '../support/links.js';

/**
 * The rust-bangumi core's full cycle on a real qBittorrent: register, dispatch 1000 links in one
 * batch (magnets, .torrent URLs, one of them a real seeded file, and bad .torrent links), poll
 * until completed with absolute file paths, cancel. Every answer decoded with the core's types.
 */
describe.each(versionsUnderTest())('the core service cycle on qBittorrent %s', (version) => {
  let seed: Seed;
  let qbittorrent: RunningQbittorrent;
  let site: TorrentServer;
  let core: FakeCoreService;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    seed = await startSeeder(version);
    qbittorrent = await startQbittorrent({ version });
    site = await TorrentServer.start();
    core = await FakeCoreService.start();
    sut = await startAppFor(qbittorrent, {
      CORE_SERVICE_URL: core.url,
      SERVICE_PORT: '8002',
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
      TORRENT_FETCH_TIMEOUT_MS: '3000',
    });
  });

  afterAll(async () => {
    await sut?.close();
    await core?.stop();
    await site?.stop();
    await qbittorrent?.stop();
    await seed?.qbittorrent.stop();
  });

  it('registers as the Rust service did, for magnets and .torrent files', async () => {
    for (let i = 0; i < 100 && core.registrations.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(decodeServiceRegistration(core.registrations[0])).toMatchObject({
      service_name: 'qbittorrent-downloader',
      port: 8002,
      capabilities: { supported_download_types: ['magnet', 'torrent'] },
    });
  });

  it.each(['v1', 'v2', 'hybrid'] as const)(
    'answers the id qBittorrent itself gives a %s .torrent',
    async (kind) => {
      const made = makeTorrent({ version: kind });
      const url = site.file(`/single/${kind}.torrent`, made.bytes);
      const response = await http().post('/download').send({ link_id: 1, url });
      // libtorrent 1.x (4.2.5) holds a hybrid by its v1 hash, and cannot take a v2-only one.
      const id = knowsV2(version) ? made.id : made.v1;
      if (id === null) {
        expect(response.status).toBe(400);
        expect(response.body.error).toContain(`qBittorrent v${version} runs libtorrent 1.x`);
        return;
      }
      expect(response.body).toEqual({ status: 'accepted', hash: id, error: null });
      // qBittorrent lists a torrent it has just loaded a moment after answering the add.
      const held = await waitForTorrent(sut.client, id, (t) => t !== null);
      expect(held?.hash).toBe(id);
    },
  );

  it('runs the whole cycle with 1000 links in one batch, bad .torrent links failing alone', async () => {
    const savePath = qbittorrent.instancePath(qbittorrent.downloadDir);
    const generated = Array.from({ length: 496 }, () => makeTorrent());
    const items = [
      { url: site.file('/Download/seeded.torrent', seed.torrentFile), save_path: savePath },
      ...generated.map((made, i) => ({
        url: site.file(`/Download/${i}.torrent`, made.bytes),
        save_path: savePath,
      })),
      ...Array.from({ length: 499 }, (_, i) => ({
        url: `magnet:?xt=urn:btih:${hashOf(i + 1)}&dn=ep${i + 1}`,
        save_path: savePath,
      })),
      { url: site.file('/bad/empty.torrent', ''), save_path: savePath },
      {
        url: site.file('/bad/page.torrent', '<!DOCTYPE html><p>Not found', 'text/html'),
        save_path: savePath,
      },
      { url: site.endless('/bad/huge.torrent', 50 * 1024 * 1024), save_path: savePath },
      { url: site.redirect('/bad/loop.torrent', '/bad/loop.torrent'), save_path: savePath },
    ];
    expect(items).toHaveLength(1000);

    const started = Date.now();
    const dispatched = await http().post('/downloads').send({ items });
    console.log(
      `core cycle (${version}): 1000 links dispatched in ${((Date.now() - started) / 1000).toFixed(2)} s`,
    );
    expect(dispatched.status).toBe(200);
    const results = decodeBatchDownloadResponse(dispatched.body);
    expect(results.slice(0, 996).every((result) => result.status === 'accepted')).toBe(true);
    expect(results[0].hash).toBe(seed.hash);
    expect(results.slice(1, 497).map((result) => result.hash)).toEqual(
      generated.map((made) => made.id),
    );
    expect(results.slice(996).map((result) => [result.status, result.reason])).toEqual([
      ['failed', expect.stringContaining('the file is empty')],
      ['failed', expect.stringContaining('HTML or XML page')],
      ['failed', expect.stringContaining('larger than 10485760 bytes')],
      ['failed', expect.stringContaining('more than 5 redirects')],
    ]);
    // Nothing lost: every accepted hash is in qBittorrent.
    const accepted = results.slice(0, 996).map((result) => result.hash as string);
    const held = await sut.client.getTorrents({});
    const heldHashes = new Set(held.map((torrent) => torrent.hash));
    expect(accepted.filter((hash) => !heldHashes.has(hash))).toEqual([]);

    // The core's poll of every active download, until the seeded one completes.
    let seeded: DownloadStatusItem | undefined;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const polled = decodeStatusQueryResponse(
        (await http().get(`/downloads?hashes=${accepted.join(',')}`)).body,
      );
      expect(polled.map((entry) => entry.hash)).toEqual(accepted);
      for (const entry of polled.slice(1)) expect(CORE_PROGRESS_STATUSES).toContain(entry.status);
      seeded = polled[0];
      if (seeded.status === 'completed' || Date.now() > deadline) break;
      expect(CORE_PROGRESS_STATUSES).toContain(seeded.status);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(seeded).toMatchObject({
      status: 'completed',
      progress: 1,
      size: seed.size,
      content_path: `${savePath}/${seed.fileName}`,
      files: [`${savePath}/${seed.fileName}`],
    });
    const bytes = await readFile(qbittorrent.hostPath(seeded.files[0]));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(seed.sha256);

    const cancelled = decodeBatchCancelResponse(
      (await http().post('/downloads/cancel').send({ hashes: accepted })).body,
    );
    expect(cancelled.every((result) => result.status === 'cancelled')).toBe(true);
    const left = await sut.client.getTorrents({ hashes: accepted.slice(0, 1000) });
    expect(left).toEqual([]);
  });
});
