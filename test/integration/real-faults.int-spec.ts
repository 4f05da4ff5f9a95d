import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { freePort } from '../../scripts/lib/ports.mjs';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import { report } from '../support/faults.js';
import { startAppFor, versionsUnderTest } from '../support/real-qbittorrent.js';

/** How long qBittorrent stays down in the "comes up later" fault (QBT_LATE_START_MS, default 5 s). */
const LATE_START_MS = Number(process.env.QBT_LATE_START_MS ?? 5000);
let serial = 0;
const freshHash = () =>
  `fa${(++serial).toString(16).padStart(6, '0')}${Date.now().toString(16).padStart(32, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heldHashes(client: QbittorrentClient, expected: number): Promise<Set<string>> {
  // qBittorrent lists a just-added torrent a moment later: wait until the count settles.
  let held = new Set<string>();
  for (let i = 0; i < 50; i++) {
    held = new Set((await client.getTorrents({})).map((torrent) => torrent.hash));
    if (held.size >= expected) break;
    await sleep(100);
  }
  return held;
}

describe.each(versionsUnderTest())('faults on real qBittorrent %s', (version) => {
  it(`fault: qBittorrent down when the service starts, up ${LATE_START_MS} ms later`, async () => {
    const webuiPort = await freePort();
    const password = 'comes-up-later';
    const sut = await startAppFor({
      url: `http://127.0.0.1:${webuiPort}`,
      username: 'admin',
      password,
    } as RunningQbittorrent);
    let qbittorrent: RunningQbittorrent | undefined;
    try {
      const probe = async () =>
        (await request(sut.app.getHttpServer()).get('/health/ready')).status;
      expect(await probe()).toBe(503);
      setTimeout(() => {
        void startQbittorrent({ version, webuiPort, password }).then(
          (started) => (qbittorrent = started),
        );
      }, LATE_START_MS);

      // A readiness probe every 500 ms, as an orchestrator would send.
      const started = Date.now();
      const seen: number[] = [];
      while (Date.now() - started < LATE_START_MS + 30_000) {
        seen.push(await probe());
        if (seen.at(-1) === 200) break;
        await sleep(500);
      }
      expect(seen.at(-1)).toBe(200);
      const response = await request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: 1, url: `magnet:?xt=urn:btih:${freshHash()}` });
      expect(response.status).toBe(201);
      report(
        `qBittorrent ${version} started ${LATE_START_MS} ms after the service`,
        `readiness ${seen.filter((s) => s === 503).length}x 503 then 200 after ${Date.now() - started} ms; POST /download 201, no restart`,
      );
    } finally {
      await sut.close();
      while (qbittorrent === undefined && LATE_START_MS > 0) await sleep(100);
      await qbittorrent?.stop();
    }
  });

  it('fault: qBittorrent restarted while requests are in flight', async () => {
    const qbittorrent = await startQbittorrent({ version });
    const sut = await startAppFor(qbittorrent);
    try {
      const client = sut.client;
      await client.login();
      // 150 requests over about 1.5 s; qBittorrent restarts 300 ms in.
      const pending: Promise<request.Response>[] = [];
      const restart = sleep(300).then(() => qbittorrent.restart());
      for (let wave = 0; wave < 15; wave++) {
        for (let i = 0; i < 10; i++) {
          pending.push(
            request(sut.app.getHttpServer())
              .post('/download')
              .send({ link_id: wave * 10 + i + 1, url: `magnet:?xt=urn:btih:${freshHash()}` }),
          );
        }
        await sleep(100);
      }
      const responses = await Promise.all(pending);
      await restart;

      const accepted = responses
        .filter((response) => response.status === 201)
        .map((response) => response.body.hash as string);
      const failed = responses.filter((response) => response.status !== 201);
      const held = await heldHashes(client, accepted.length);
      const lost = accepted.filter((hash) => !held.has(hash));
      expect(lost).toEqual([]);
      for (const response of failed) {
        expect(response.status).toBe(500);
        expect(response.body).toEqual({
          status: 'error',
          hash: null,
          error: expect.stringMatching(/failed after \d attempts?: .+/),
        });
      }
      report(
        `qBittorrent ${version} restarted under 150 requests`,
        `${accepted.length} accepted (all present afterwards), ${failed.length} answered 500 with the cause`,
      );
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });

  it('fault: wrong credentials under 20 concurrent requests: one login attempt, no ban', async () => {
    const qbittorrent = await startQbittorrent({ version });
    const wrong = await startAppFor(qbittorrent, { QBITTORRENT_PASSWORD: 'not-the-password' });
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(wrong.app.getHttpServer())
            .post('/download')
            .send({ link_id: i + 1, url: `magnet:?xt=urn:btih:${freshHash()}` }),
        ),
      );
      const ready = await request(wrong.app.getHttpServer()).get('/health/ready');
      // The client logs each refusal qBittorrent gives it once, at error level.
      const refusals = wrong.logs.lines.filter((line) =>
        line.startsWith('error [QbittorrentClient] qBittorrent refused the login'),
      );

      expect(responses.every((response) => response.status === 500)).toBe(true);
      expect(responses[0].body.error).toContain('qBittorrent refused the login of user "admin"');
      expect(ready.status).toBe(503);
      expect(ready.body.error.qbittorrent.message).toContain('refused the login');
      expect(refusals.length).toBeLessThanOrEqual(1);

      // qBittorrent bans after 5 failures: the right password still gets in.
      const right = await startAppFor(qbittorrent);
      try {
        await expect(right.client.login()).resolves.toMatchObject({
          app: `v${version}`,
        });
      } finally {
        await right.close();
      }
      report(
        `wrong password, 20 concurrent requests, qBittorrent ${version}`,
        `20x 500, readiness 503, ${refusals.length} login attempt logged, not banned`,
      );
    } finally {
      await wrong.close();
      await qbittorrent.stop();
    }
  });

  it('fault: 500 concurrent POST /download with distinct hashes', async () => {
    const qbittorrent = await startQbittorrent({ version });
    const sut = await startAppFor(qbittorrent);
    try {
      const hashes = Array.from({ length: 500 }, () => freshHash());
      const started = Date.now();
      const responses = await Promise.all(
        hashes.map((hash, i) =>
          request(sut.app.getHttpServer())
            .post('/download')
            .send({ link_id: i + 1, url: `magnet:?xt=urn:btih:${hash}` }),
        ),
      );
      const elapsed = Date.now() - started;
      const client = sut.client;
      const held = await heldHashes(client, 500);
      const logins = sut.logs.lines.filter((line) =>
        line.includes('Logged in to qBittorrent'),
      ).length;

      expect(responses.map((response) => response.status)).toEqual(Array(500).fill(201));
      expect(hashes.filter((hash) => !held.has(hash))).toEqual([]);
      expect(logins).toBe(1);
      report(
        `500 concurrent adds, qBittorrent ${version}`,
        `500x 201 in ${elapsed} ms, 500 torrents present, ${logins} login`,
      );
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });
});
