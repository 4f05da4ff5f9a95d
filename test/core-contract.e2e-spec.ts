import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { FakeCoreService } from './fakes/fake-core-service.js';
import { startApp, type TestApp } from './support/app.js';
import {
  CORE_PROGRESS_STATUSES,
  decodeBatchCancelResponse,
  decodeBatchDownloadResponse,
  decodeServiceRegistration,
  decodeStatusQueryResponse,
} from './support/core-contract.js';
import { makeTorrent } from './support/torrent-files.js';
import { TorrentServer } from './support/torrent-server.js';
import { hashOf } from './support/links.js';

/**
 * The rust-bangumi core's whole cycle, replayed as its code builds the requests, every answer
 * decoded with its serde types (test/support/core-contract.ts).
 */
describe.each(DIALECTS)('the core service cycle against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let site: TorrentServer;
  let core: FakeCoreService;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    site = await TorrentServer.start();
    core = await FakeCoreService.start();
    // As the core's compose file configures a downloader.
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      CORE_SERVICE_URL: core.url,
      SERVICE_PORT: '8002',
      SERVICE_HOST: 'downloader-qbittorrent',
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
    });
  });

  afterEach(async () => {
    await sut.close();
    await core.stop();
    await site.stop();
    await qbittorrent.stop();
  });

  it('registers in a form the core decodes, keeping the Rust service name', async () => {
    for (let i = 0; i < 100 && core.registrations.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const registration = decodeServiceRegistration(core.registrations[0]);
    expect(registration).toEqual({
      service_type: 'downloader',
      service_name: 'qbittorrent-downloader',
      host: 'downloader-qbittorrent',
      port: 8002,
      capabilities: {
        download_endpoint: '/download',
        supported_download_types: ['magnet', 'torrent'],
      },
    });
  });

  it('dispatches 1000 links (magnets and .torrent URLs), polls them to completed with absolute files, cancels', async () => {
    const torrents = Array.from({ length: 500 }, () => makeTorrent());
    const items = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? { url: `magnet:?xt=urn:btih:${hashOf(i + 1)}&dn=ep${i}`, save_path: '/downloads' }
        : {
            url: site.file(`/Download/${i}.torrent`, torrents[(i - 1) / 2].bytes),
            save_path: '/downloads',
          },
    );

    const started = Date.now();
    const dispatched = await http().post('/downloads').send({ items });
    const seconds = (Date.now() - started) / 1000;
    console.log(`core cycle (${dialect}): 1000 links dispatched in ${seconds.toFixed(2)} s`);
    expect(dispatched.status).toBe(200);
    const results = decodeBatchDownloadResponse(dispatched.body);
    expect(results).toHaveLength(1000);
    results.forEach((result, i) => {
      expect(result.url).toBe(items[i].url);
      expect(result.status).toBe('accepted');
      expect(result.hash).toBe(i % 2 === 0 ? hashOf(i + 1) : torrents[(i - 1) / 2].id);
    });
    expect(qbittorrent.torrents.size).toBe(1000);

    // The core polls every active hash in one GET, whatever their number.
    const hashes = results.map((result) => result.hash as string);
    const infoCalls = qbittorrent.callsTo('torrents/info').length;
    const polled = decodeStatusQueryResponse(
      (await http().get(`/downloads?hashes=${hashes.join(',')}`)).body,
    );
    expect(polled.map((entry) => entry.hash)).toEqual(hashes);
    for (const entry of polled) expect(CORE_PROGRESS_STATUSES).toContain(entry.status);
    expect(qbittorrent.callsTo('torrents/info').length).toBe(infoCalls + 1);

    qbittorrent.complete(hashes[0], 4096);
    qbittorrent.complete(hashes[1], 1024);
    const done = decodeStatusQueryResponse(
      (await http().get(`/downloads?hashes=${hashes[0]},${hashes[1]}`)).body,
    );
    for (const entry of done) {
      expect(entry.status).toBe('completed');
      expect(entry.progress).toBe(1);
      expect(entry.content_path).not.toBeNull();
      expect(entry.files.length).toBeGreaterThan(0);
      for (const file of entry.files) {
        expect(file.startsWith('/')).toBe(true);
        expect(file.startsWith(entry.content_path as string)).toBe(true);
      }
    }
    expect(done[1].files).toEqual([`/downloads/${torrents[0].name}`]);

    const cancelled = decodeBatchCancelResponse(
      (await http().post('/downloads/cancel').send({ hashes })).body,
    );
    expect(cancelled.every((result) => result.status === 'cancelled')).toBe(true);
    expect(qbittorrent.torrents.size).toBe(0);
  });

  it('answers a poll of 2500 hashes, held, unknown and legacy base32, in three calls to qBittorrent', async () => {
    await http()
      .post('/download')
      .send({ link_id: 1, url: `magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a` });
    const asked = [
      'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK', // base32 of c12fe1c0…, as an old downloader reported it
      ...Array.from({ length: 2499 }, (_, i) => hashOf(i + 100_000)),
    ];
    const infoCalls = qbittorrent.callsTo('torrents/info').length;

    const response = await http().get(`/downloads?hashes=${asked.join(',')}`);

    expect(response.status).toBe(200);
    const statuses = decodeStatusQueryResponse(response.body);
    expect(statuses.map((entry) => entry.hash)).toEqual(asked);
    expect(statuses[0].status).toBe('downloading');
    expect(response.body.statuses[0].info_hash).toBe('c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
    expect(
      statuses.slice(1).every((entry) => entry.status === 'not_found' && entry.size === 0),
    ).toBe(true);
    expect(qbittorrent.callsTo('torrents/info').length - infoCalls).toBe(3);
  });

  it('every state qBittorrent reports decodes, with the status the core acts on', async () => {
    const states = [
      'downloading',
      'stalledDL',
      'metaDL',
      'forcedMetaDL',
      'queuedDL',
      'checkingDL',
      'checkingUP',
      'checkingResumeData',
      'forcedDL',
      'allocating',
      'moving',
      'pausedDL',
      'stoppedDL',
      'uploading',
      'stalledUP',
      'pausedUP',
      'stoppedUP',
      'queuedUP',
      'forcedUP',
      'error',
      'missingFiles',
      'unknown',
    ];
    const hashes = states.map((_, i) => hashOf(i + 1));
    await http()
      .post('/downloads')
      .send({ items: hashes.map((hash) => ({ url: `magnet:?xt=urn:btih:${hash}` })) });
    states.forEach((state, i) =>
      Object.assign(qbittorrent.torrents.get(hashes[i])!, { state, size: -1 }),
    );

    const statuses = decodeStatusQueryResponse(
      (await http().get(`/downloads?hashes=${hashes.join(',')}`)).body,
    );

    expect(Object.fromEntries(statuses.map((entry, i) => [states[i], entry.status]))).toEqual({
      downloading: 'downloading',
      stalledDL: 'downloading',
      metaDL: 'downloading',
      forcedMetaDL: 'downloading',
      queuedDL: 'downloading',
      checkingDL: 'downloading',
      checkingUP: 'downloading',
      checkingResumeData: 'downloading',
      forcedDL: 'downloading',
      allocating: 'downloading',
      moving: 'downloading',
      pausedDL: 'paused',
      stoppedDL: 'paused',
      uploading: 'completed',
      stalledUP: 'completed',
      pausedUP: 'completed',
      stoppedUP: 'completed',
      queuedUP: 'completed',
      forcedUP: 'completed',
      error: 'error',
      missingFiles: 'error',
      unknown: 'unknown',
    });
  });
});

describe('a batch while qBittorrent is down', () => {
  it('answers 1000 items, each failed with the reason, by trying only the first few', async () => {
    const down = await FakeQbittorrent.start();
    const url = down.url;
    await down.stop(); // nothing listens there any more: connection refused
    const sut = await startApp({ QBITTORRENT_URL: url, RETRY_BASE_DELAY_MS: '200' });
    try {
      const items = Array.from({ length: 1000 }, (_, i) => ({
        url: `magnet:?xt=urn:btih:${hashOf(i + 1)}`,
        save_path: '/downloads',
      }));
      const started = Date.now();
      const response = await request(sut.app.getHttpServer()).post('/downloads').send({ items });
      const seconds = (Date.now() - started) / 1000;
      const results = decodeBatchDownloadResponse(response.body);
      const attempted = results.filter(
        (result) => !result.reason?.startsWith('not attempted'),
      ).length;
      console.log(
        `fault: qBittorrent down under a batch of 1000 -> answered in ${seconds.toFixed(2)} s, ${attempted} items tried, ${1000 - attempted} failed at once`,
      );
      expect(response.status).toBe(200);
      expect(
        results.every(
          (result) =>
            result.status === 'failed' && result.reason?.includes('unreachable (ECONNREFUSED)'),
        ),
      ).toBe(true);
      expect(attempted).toBeLessThanOrEqual(16);
    } finally {
      await sut.close();
    }
  });
});
