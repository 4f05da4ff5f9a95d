import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { UNSUPPORTED_LINK } from '../src/downloads/downloads.errors.js';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { freePort } from '../scripts/lib/ports.mjs';
import { startApp, type TestApp } from './support/app.js';
import { hashOf } from './support/links.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const BASE32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK'; // the same 20 bytes as HEX
const SHA256 = '0d5f6a3e1b7c9d2e4f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e';

/** A distinct valid info-hash per number. */

function expectThreeFields(body: unknown): void {
  expect(Object.keys(body as object).sort()).toEqual(['error', 'hash', 'status']);
}

describe.each(DIALECTS)('POST /download against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  const post = (body: unknown) =>
    request(sut.app.getHttpServer())
      .post('/download')
      .send(body as object);

  it.each([
    ['40-hex btih', `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Show%20-%2001`, HEX, HEX],
    ['32-char base32 btih', `magnet:?xt=urn:btih:${BASE32}`, HEX, HEX],
    ['v2-only btmh', `magnet:?xt=urn:btmh:1220${SHA256}`, SHA256.slice(0, 40), null],
    [
      'hybrid btih + btmh',
      `magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${SHA256}`,
      SHA256.slice(0, 40),
      HEX,
    ],
  ])(
    '201 with the id qBittorrent holds the torrent under: %s',
    async (_name, url, onLibtorrent2, onLibtorrent1) => {
      const response = await post({ link_id: 123, url });
      // libtorrent 1.2 (4.2.5) holds a hybrid by its v1 id and cannot take a v2-only one.
      const hash = qbittorrent.knowsV2 ? onLibtorrent2 : onLibtorrent1;
      if (hash === null) {
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          status: 'unsupported',
          hash: null,
          error: `torrent ${onLibtorrent2} is BitTorrent v2 only, and qBittorrent v4.2.5 runs libtorrent 1.x, which cannot take it: send its v1 or hybrid link, or use a qBittorrent on libtorrent 2 (4.4 or later)`,
        });
        expect(qbittorrent.callsTo('torrents/add')).toHaveLength(0);
        return;
      }
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ status: 'accepted', hash, error: null });
      expect([...qbittorrent.torrents.keys()]).toEqual([hash]);
    },
  );

  it('is idempotent: adding a torrent qBittorrent already holds is accepted with the same hash', async () => {
    const url = `magnet:?xt=urn:btih:${HEX}`;
    const first = await post({ link_id: 1, url });
    const second = await post({ link_id: 1, url });

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(qbittorrent.torrents.size).toBe(1);
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(2);
    // The refused second add was confirmed against the torrent list.
    expect(qbittorrent.callsTo('torrents/info').length).toBeGreaterThanOrEqual(1);
  });

  it('accepts a retried add whose first attempt reached qBittorrent', async () => {
    // qBittorrent adds the torrent, then the answer is lost behind a 502 from a proxy.
    qbittorrent.inject('torrents/add', { kind: 'status', status: 502, afterHandling: true });
    const response = await post({ link_id: 7, url: `magnet:?xt=urn:btih:${HEX}` });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ status: 'accepted', hash: HEX, error: null });
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(2);
    expect(sut.logs.text()).toMatch(
      /attempt 1\/3 failed \(qBittorrent answered HTTP 502 to torrents\/add\); retrying in 20 ms/,
    );
  });

  it('500 naming the cause and the attempt count when qBittorrent keeps failing', async () => {
    qbittorrent.inject('torrents/add', { kind: 'status', status: 503 }, 3);
    const response = await post({ link_id: 9, url: `magnet:?xt=urn:btih:${HEX}` });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      status: 'error',
      hash: null,
      error: `Adding torrent ${HEX} to qBittorrent failed after 3 attempts: qBittorrent answered HTTP 503 to torrents/add`,
    });
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(3);
  });

  it('500 without retrying when qBittorrent refuses a torrent it does not then hold', async () => {
    qbittorrent.inject('torrents/add', {
      kind: 'status',
      status: qbittorrent.spec.modernAnswers ? 409 : 200,
      body: qbittorrent.spec.modernAnswers ? 'Conflict' : 'Fails.',
    });
    const response = await post({ link_id: 9, url: `magnet:?xt=urn:btih:${HEX}` });

    expect(response.status).toBe(500);
    expect(response.body.error).toMatch(
      /failed after 1 attempt \(not retried\): qBittorrent refused torrent/,
    );
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(1);
  });

  it('makes one login for 50 concurrent requests, and one more after qBittorrent forgets the session', async () => {
    const loginsBefore = qbittorrent.callsTo('auth/login').length; // the start-up login, if it has happened
    const batch = (offset: number) =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post({ link_id: offset + i + 1, url: `magnet:?xt=urn:btih:${hashOf(offset + i + 1)}` }),
        ),
      );

    const first = await batch(0);
    expect(first.map((response) => response.status)).toEqual(Array(50).fill(201));
    expect(qbittorrent.callsTo('auth/login').length).toBe(Math.max(loginsBefore, 1));

    qbittorrent.expireSessions();
    const logins = qbittorrent.callsTo('auth/login').length;
    const second = await batch(50);
    expect(second.map((response) => response.status)).toEqual(Array(50).fill(201));
    expect(qbittorrent.callsTo('auth/login').length).toBe(logins + 1);
    expect(qbittorrent.torrents.size).toBe(100);
  });

  it('logs link_id, hash and outcome of each request', async () => {
    await post({ link_id: 41, url: `magnet:?xt=urn:btih:${HEX}` });
    await post({ link_id: 42, url: 'ftp://example.com/a.torrent' });
    qbittorrent.inject('torrents/add', { kind: 'status', status: 500 }, 3);
    await post({ link_id: 43, url: `magnet:?xt=urn:btih:${hashOf(43)}` });

    const text = sut.logs.text();
    expect(text).toContain(`link_id=41 hash=${HEX} accepted`);
    expect(text).toContain(`link_id=42 unsupported: ${UNSUPPORTED_LINK}`);
    expect(text).toMatch(
      new RegExp(
        `error \\[Downloads\\] link_id=43 hash=${hashOf(43)} error: .*failed after 3 attempts`,
      ),
    );
  });
});

describe('POST /download refusals (nothing reaches qBittorrent)', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  const magnet = `magnet:?xt=urn:btih:${HEX}`;

  it.each([
    [
      'a URL that is neither a magnet link nor http(s)',
      { link_id: 1, url: 'ftp://example.com/x.torrent' },
      UNSUPPORTED_LINK,
    ],
    [
      'a magnet without info-hash',
      { link_id: 1, url: 'magnet:?dn=x' },
      'magnet link has no info-hash',
    ],
    [
      "the Rust service README's example (32 hex)",
      { link_id: 1, url: 'magnet:?xt=urn:btih:1234567890abcdef1234567890abcdef' },
      'got 32 hex characters',
    ],
    [
      'a malformed info-hash',
      { link_id: 1, url: 'magnet:?xt=urn:btih:zz' },
      'must be 40 hex or 32 base32',
    ],
    [
      'a line feed (a second torrent)',
      { link_id: 1, url: `${magnet}\nmagnet:?xt=urn:btih:${hashOf(2)}` },
      'control character U+000A',
    ],
    ['a carriage return', { link_id: 1, url: `${magnet}\r` }, 'control character U+000D'],
    ['a NUL', { link_id: 1, url: `${magnet}\u0000` }, 'control character U+0000'],
    [
      'a URL over 8 KiB',
      { link_id: 1, url: `${magnet}&dn=${'a'.repeat(8200)}` },
      'at most 8192 are accepted',
    ],
    ['a missing link_id', { url: magnet }, 'link_id is required'],
    ['a null link_id', { link_id: null, url: magnet }, 'link_id is required'],
    ['link_id 0', { link_id: 0, url: magnet }, 'link_id must be a positive integer'],
    ['a negative link_id', { link_id: -5, url: magnet }, 'link_id must be a positive integer'],
    ['a fractional link_id', { link_id: 1.5, url: magnet }, 'link_id must be a positive integer'],
    ['a string link_id', { link_id: '123', url: magnet }, 'link_id must be a positive integer'],
    [
      'a huge link_id',
      { link_id: 1e30, url: magnet },
      'link_id must be a positive integer (at most 9007199254740991)',
    ],
    ['a missing url', { link_id: 1 }, 'url is required'],
    ['a url that is not a string', { link_id: 1, url: 42 }, 'url must be a string'],
  ])('400 for %s', async (_name, body, message) => {
    const addsBefore = qbittorrent.callsTo('torrents/add').length;
    const response = await request(sut.app.getHttpServer()).post('/download').send(body);

    expect(response.status).toBe(400);
    expectThreeFields(response.body);
    expect(response.body.status).toBe('unsupported');
    expect(response.body.hash).toBeNull();
    expect(response.body.error).toContain(message);
    expect(qbittorrent.callsTo('torrents/add').length).toBe(addsBefore);
  });

  it.each([
    [
      'malformed JSON',
      'application/json',
      '{"link_id": 1, "url": ',
      'request body is not valid JSON',
    ],
    ['a JSON array', 'application/json', '[{"link_id":1}]', 'request body must be a JSON object'],
    ['a JSON string', 'application/json', '"magnet:?"', 'request body is not valid JSON'],
    [
      'a form body',
      'application/x-www-form-urlencoded',
      `link_id=1&url=${encodeURIComponent(magnet)}`,
      'request body must be JSON (Content-Type: application/json)',
    ],
    [
      'plain text',
      'text/plain',
      magnet,
      'request body must be JSON (Content-Type: application/json)',
    ],
  ])('400 for a body that is %s', async (_name, contentType, body, message) => {
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .set('content-type', contentType)
      .send(body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ status: 'unsupported', hash: null, error: message });
  });

  it('413 in the same shape for a body over 64 KiB', async () => {
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url: magnet, padding: 'x'.repeat(70_000) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      status: 'unsupported',
      hash: null,
      error: 'request body is larger than 65536 bytes',
    });
  });

  it('ignores unknown fields instead of passing them on', async () => {
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({
        link_id: 5,
        url: magnet,
        savepath: '/etc',
        autoTMM: true,
        upLimit: 1,
        __proto__: { polluted: 1 },
      });

    expect(response.status).toBe(201);
    const [add] = qbittorrent.callsTo('torrents/add').slice(-1);
    expect(Object.fromEntries(add.form)).toEqual({
      urls: magnet,
      tags: 'link:5',
      paused: 'false',
      stopped: 'false',
    });
  });
});

describe('POST /download when qBittorrent is unreachable', () => {
  it('500 after 3 attempts naming the cause, then 201 once qBittorrent is up, without a restart', async () => {
    const port = await freePort();
    const sut = await startApp({ QBITTORRENT_URL: `http://127.0.0.1:${port}` });
    let qbittorrent: FakeQbittorrent | undefined;
    try {
      const down = await request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: 1, url: `magnet:?xt=urn:btih:${HEX}` });
      expect(down.status).toBe(500);
      expect(down.body).toEqual({
        status: 'error',
        hash: null,
        error: `Adding torrent ${HEX} to qBittorrent failed after 3 attempts: qBittorrent at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`,
      });

      qbittorrent = await FakeQbittorrent.start({ port, dialect: '5.3.0' });
      const up = await request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: 1, url: `magnet:?xt=urn:btih:${HEX}` });
      expect(up.status).toBe(201);
      expect(qbittorrent.torrents.has(HEX)).toBe(true);
    } finally {
      await sut.close();
      await qbittorrent?.stop();
    }
  });
});
