import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { invalidHashParameter, UNSUPPORTED_LINK } from '../src/downloads/downloads.errors.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { failOnUnhandledRejections, report } from './support/faults.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const MAGNET = `magnet:?xt=urn:btih:${HEX}`;

describe('bad input', () => {
  failOnUnhandledRejections();
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const raw = (path: string, body: string, contentType = 'application/json') =>
    http().post(path).set('content-type', contentType).send(body);

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it.each<[string, string, string, number, string]>([
    ['malformed JSON', '{"link_id":1,', 'application/json', 400, 'request body is not valid JSON'],
    [
      'a wrong content type',
      `link_id=1&url=${MAGNET}`,
      'application/x-www-form-urlencoded',
      400,
      'request body must be JSON',
    ],
    [
      'a body over 64 KiB',
      JSON.stringify({ link_id: 1, url: MAGNET, pad: 'x'.repeat(65_536) }),
      'application/json',
      413,
      'larger than 65536',
    ],
    ['a JSON number', '42', 'application/json', 400, 'request body is not valid JSON'],
    [
      'a non-UTF-8 charset',
      '{"link_id":1}',
      'application/json; charset=klingon',
      400,
      'encoding is not supported',
    ],
    [
      'a huge link_id',
      `{"link_id":123456789012345678901234567890,"url":"${MAGNET}"}`,
      'application/json',
      400,
      'link_id must be a positive integer',
    ],
    [
      'link_id as a float',
      `{"link_id":7.0000001,"url":"${MAGNET}"}`,
      'application/json',
      400,
      'link_id must be a positive integer',
    ],
    [
      'link_id as a boolean',
      `{"link_id":true,"url":"${MAGNET}"}`,
      'application/json',
      400,
      'link_id must be a positive integer',
    ],
    [
      'a tab in the URL',
      JSON.stringify({ link_id: 1, url: `${MAGNET}\t` }),
      'application/json',
      400,
      'control character U+0009',
    ],
    [
      'a file: URL',
      JSON.stringify({ link_id: 1, url: 'file:///etc/passwd' }),
      'application/json',
      400,
      UNSUPPORTED_LINK,
    ],
    [
      'a javascript: URL',
      JSON.stringify({ link_id: 1, url: 'javascript:alert(1)' }),
      'application/json',
      400,
      UNSUPPORTED_LINK,
    ],
    [
      'two xt of different torrents',
      JSON.stringify({ link_id: 1, url: `${MAGNET}&xt=urn:btih:${'a'.repeat(40)}` }),
      'application/json',
      400,
      'names more than one torrent',
    ],
  ])(
    'POST /download refuses %s in its three-field shape',
    async (name, body, contentType, status, message) => {
      const adds = qbittorrent.callsTo('torrents/add').length;
      const response = await raw('/download', body, contentType);

      expect(response.status).toBe(status);
      expect(response.body).toEqual({
        status: 'unsupported',
        hash: null,
        error: expect.stringContaining(message),
      });
      expect(qbittorrent.callsTo('torrents/add').length).toBe(adds);
      report(`POST /download with ${name}`, `${response.status} ${response.body.error}`, 'input');
    },
  );

  it.each([
    ['__proto__', `{"link_id":1,"url":"${MAGNET}","__proto__":{"polluted":"yes","tags":"x"}}`],
    [
      'constructor.prototype',
      `{"link_id":1,"url":"${MAGNET}","constructor":{"prototype":{"polluted":"yes"}}}`,
    ],
  ])(
    'ignores prototype-pollution keys (%s): nothing polluted, nothing passed on',
    async (name, body) => {
      const response = await raw('/download', body);

      expect(response.status).toBe(201);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      const add = qbittorrent.callsTo('torrents/add').at(-1);
      expect(Object.fromEntries(add?.form ?? [])).toEqual({
        urls: MAGNET,
        tags: 'link:1',
        paused: 'false',
        stopped: 'false',
      });
      report(
        `POST /download with a ${name} key`,
        `${response.status}; Object.prototype untouched`,
        'input',
      );
    },
  );

  it('refuses a batch item with prototype-pollution keys only for what it lacks', async () => {
    const response = await raw('/downloads', '{"items":[{"__proto__":{"url":"' + MAGNET + '"}}]}');
    expect(response.status).toBe(200);
    expect(response.body.results[0]).toMatchObject({ status: 'failed', reason: 'url is required' });
  });

  it.each([
    ['pause', 'post', `/downloads/${HEX.slice(1)}/pause`],
    ['resume', 'post', `/downloads/${HEX}a/resume`],
    ['delete', 'delete', `/downloads/${HEX.replace('c', 'z')}`],
    ['delete (encoded newline)', 'delete', `/downloads/${HEX.slice(2)}%0A%0D`],
  ])('refuses a hash of wrong length or charset in the path (%s)', async (_name, method, path) => {
    const response = method === 'post' ? await http().post(path) : await http().delete(path);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: invalidHashParameter().message });
  });

  it('property: random bodies never get a 5xx, never reach qBittorrent when invalid, always get three fields', async () => {
    const hex40 = fc.stringMatching(/^[0-9a-fA-F]{40}$/);
    const url = fc.oneof(
      hex40.map((hash) => `magnet:?xt=urn:btih:${hash}`),
      fc.tuple(hex40, fc.string()).map(([hash, tail]) => `magnet:?xt=urn:btih:${hash}&dn=${tail}`),
      fc.string().map((tail) => `magnet:?${tail}`),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('http://x/a.torrent', 'file:///etc/passwd', 'javascript:alert(1)', ''),
    );
    const linkId = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.bigInt().map(String),
    );
    const valid = fc.record({
      link_id: fc.integer({ min: 1, max: 2 ** 40 }),
      url: hex40.map((hash) => `magnet:?xt=urn:btih:${hash}`),
    });
    const body = fc.oneof(
      { arbitrary: valid.map((value) => JSON.stringify(value)), weight: 2 },
      fc
        .record({ link_id: linkId, url }, { requiredKeys: [] })
        .map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary' }),
    );
    const counts = { runs: 0, accepted: 0, refused: 0 };

    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        counts.runs++;
        const adds = qbittorrent.callsTo('torrents/add').length;
        const response = await raw('/download', text);

        expect(response.status).toBeLessThan(500);
        expect(Object.keys(response.body).sort()).toEqual(['error', 'hash', 'status']);
        if (response.status === 201) {
          counts.accepted++;
          expect(qbittorrent.torrents.has(response.body.hash)).toBe(true);
        } else {
          counts.refused++;
          expect(response.body.status).toBe('unsupported');
          expect(qbittorrent.callsTo('torrents/add').length).toBe(adds);
        }
      }),
      { numRuns: 400, seed: 20261124, interruptAfterTimeLimit: 60_000 },
    );
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
    report(
      '400 random bodies to POST /download (fast-check)',
      `${counts.accepted} accepted, ${counts.refused} refused, no 5xx`,
      'input',
    );
  }, 90_000);
});
