import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { freePort } from '../../scripts/lib/ports.mjs';
import { startQbittorrent, type RunningQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { parseMagnet } from '../../src/qbittorrent/identity/magnet.js';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import type { TestApp } from '../support/app.js';
import {
  knowsV2,
  startAppFor,
  versionsUnderTest,
  waitForTorrent,
} from '../support/real-qbittorrent.js';

const SHA256 = '0d5f6a3e1b7c9d2e4f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e';
const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const HYBRID_V1 = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1';
const HYBRID_V2 = `${'2b'.repeat(31)}2b`;
const BASE32_OF = {
  hex: 'aa23456789abcdef0123456789abcdef01234561',
  base32: 'VIRUKZ4JVPG66AJDIVTYTK6N54ASGRLB',
};

/** A distinct valid info-hash per test, so that tests never see each other's torrents. */
let counter = 0;
const freshHash = () => `d0${(++counter).toString(16).padStart(6, '0')}${'e'.repeat(32)}`;

describe.each(versionsUnderTest())('real qBittorrent %s', (version) => {
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp;
  let client: QbittorrentClient;
  const post = (body: object) => request(sut.app.getHttpServer()).post('/download').send(body);

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({ version });
    sut = await startAppFor(qbittorrent);
    client = sut.client;
  });

  afterAll(async () => {
    await sut?.close();
    await qbittorrent?.stop();
  });

  it('logs in with the right credentials and reads its version', async () => {
    const found = await client.login();
    expect(found.app).toBe(`v${version}`);
    expect(found.webApi).toMatch(/^2\.\d+\.\d+$/);
  });

  it('reports wrong credentials clearly after one attempt, without getting us banned', async () => {
    const wrong = await startAppFor(qbittorrent, { QBITTORRENT_PASSWORD: 'not the password' });
    try {
      const response = await request(wrong.app.getHttpServer())
        .post('/download')
        .send({ link_id: 1, url: `magnet:?xt=urn:btih:${freshHash()}` });
      expect(response.status).toBe(500);
      expect(response.body.error).toContain('qBittorrent refused the login of user "admin"');
      expect(response.body.error).toContain('failed after 1 attempt (not retried)');
      const ready = await request(wrong.app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(503);
    } finally {
      await wrong.close();
      sut.app.useLogger(sut.logs); // Nest's logger is process-wide: take it back
    }
    // The right password still works afterwards.
    await expect(client.login()).resolves.toMatchObject({ app: `v${version}` });
  });

  it.each([
    ['a 40-hex btih', `magnet:?xt=urn:btih:${HEX}&dn=hex`, HEX, HEX],
    [
      'a 32-char base32 btih',
      `magnet:?xt=urn:btih:${BASE32_OF.base32}&dn=base32`,
      BASE32_OF.hex,
      BASE32_OF.hex,
    ],
    ['a v2-only btmh', `magnet:?xt=urn:btmh:1220${SHA256}&dn=v2`, SHA256.slice(0, 40), null],
    [
      'a hybrid btih + btmh',
      `magnet:?xt=urn:btih:${HYBRID_V1}&xt=urn:btmh:1220${HYBRID_V2}&dn=hybrid`,
      HYBRID_V2.slice(0, 40),
      HYBRID_V1,
    ],
  ])(
    'adds %s, answers the id qBittorrent holds it under, and its link_id in the poll',
    async (_name, url, onLibtorrent2, onLibtorrent1) => {
      const linkId = 10 + (counter++ % 1000);
      const response = await post({ link_id: linkId, url });

      // libtorrent 1.x (4.2.5) holds a hybrid by its v1 hash, and cannot take a v2-only one.
      const hash = knowsV2(version) ? onLibtorrent2 : onLibtorrent1;
      if (hash === null) {
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          status: 'unsupported',
          hash: null,
          error: expect.stringContaining(`qBittorrent v${version} runs libtorrent 1.x`),
        });
        return;
      }
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ status: 'accepted', hash, error: null });
      const torrent = await waitForTorrent(client, hash, (t) => t !== null);
      expect(torrent?.hash).toBe(hash);
      // The link id round trip, tags on the add or (before WebAPI 2.6.2) with torrents/addTags.
      const poll = await request(sut.app.getHttpServer()).get(`/downloads?hashes=${hash}`);
      expect(poll.body.statuses[0]).toMatchObject({ hash, link_id: linkId });
    },
  );

  it('accepts a duplicate with the same hash, and qBittorrent still holds one torrent', async () => {
    const url = `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=again`;
    const response = await post({ link_id: 11, url });

    expect(response.status).toBe(201);
    expect(response.body.hash).toBe(HEX);
    const all = await client.getTorrents({});
    expect(all.filter((torrent) => torrent.hash === HEX)).toHaveLength(1);
  });

  it('refuses an invalid hash before qBittorrent, which gains nothing', async () => {
    const before = (await client.getTorrents({})).length;
    const response = await post({
      link_id: 12,
      url: 'magnet:?xt=urn:btih:1234567890abcdef1234567890abcdef',
    });

    expect(response.status).toBe(400);
    expect(response.body.status).toBe('unsupported');
    expect((await client.getTorrents({})).length).toBe(before);
  });

  it('pauses and resumes: the state really changes', async () => {
    const hash = freshHash();
    await client.addMagnet(parseMagnet(`magnet:?xt=urn:btih:${hash}`));
    await waitForTorrent(client, hash, (t) => t !== null);

    await client.pause(hash);
    const paused = await waitForTorrent(client, hash, (t) =>
      /^(paused|stopped)(DL|UP)$/.test(t?.state ?? ''),
    );
    expect(paused?.state).toBe(version.startsWith('4.') ? 'pausedDL' : 'stoppedDL');

    await client.resume(hash);
    const resumed = await waitForTorrent(
      client,
      hash,
      (t) => !/^(paused|stopped)/.test(t?.state ?? 'paused'),
    );
    expect(resumed?.state).not.toMatch(/^(paused|stopped)/);
  });

  it.each([false, true])('deletes a torrent (deleteFiles=%s)', async (deleteFiles) => {
    const hash = freshHash();
    await client.addMagnet(parseMagnet(`magnet:?xt=urn:btih:${hash}`));
    await waitForTorrent(client, hash, (t) => t !== null);

    await client.deleteMany([hash], deleteFiles);
    await expect(waitForTorrent(client, hash, (t) => t === null)).resolves.toBeNull();
  });

  it('is ready, with the version, in /health/ready', async () => {
    const response = await request(sut.app.getHttpServer()).get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body.info.qbittorrent).toMatchObject({ status: 'up', version: `v${version}` });
  });

  it('re-logs in by itself after qBittorrent restarts (its sessions are gone)', async () => {
    await client.login();
    await qbittorrent.restart();
    const hash = freshHash();

    const response = await post({ link_id: 13, url: `magnet:?xt=urn:btih:${hash}` });

    expect(response.status).toBe(201);
    expect(sut.logs.text()).toMatch(
      /qBittorrent answered 403 to torrents\/add: the session has expired, logging in again/,
    );
    await waitForTorrent(client, hash, (t) => t !== null);
  });
});

describe.each(versionsUnderTest())('the service started before real qBittorrent %s', (version) => {
  it('answers 500 while qBittorrent is down, and 201 once it is up, without a restart', async () => {
    const webuiPort = await freePort();
    const password = 'started-later';
    const sut = await startAppFor(
      { url: `http://127.0.0.1:${webuiPort}`, username: 'admin', password } as RunningQbittorrent,
      { RETRY_BASE_DELAY_MS: '10' },
    );
    let qbittorrent: RunningQbittorrent | undefined;
    try {
      const url = `magnet:?xt=urn:btih:${freshHash()}`;
      const down = await request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: 1, url });
      expect(down.status).toBe(500);
      expect(down.body.error).toContain('is unreachable (ECONNREFUSED)');
      expect((await request(sut.app.getHttpServer()).get('/health/ready')).status).toBe(503);

      qbittorrent = await startQbittorrent({ version, webuiPort, password });
      expect((await request(sut.app.getHttpServer()).get('/health/ready')).status).toBe(200);
      const up = await request(sut.app.getHttpServer()).post('/download').send({ link_id: 1, url });
      expect(up.status).toBe(201);
    } finally {
      await sut.close();
      await qbittorrent?.stop();
    }
  });
});
