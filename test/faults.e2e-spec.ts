import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeCoreService } from './fakes/fake-core-service.js';
import { type Fault, FakeQbittorrent, type FakeDialect } from './fakes/fake-qbittorrent.js';
import { startApp } from './support/app.js';
import { failOnUnhandledRejections, report, startSilentServer } from './support/faults.js';
import { freePort } from '../scripts/lib/ports.mjs';
import { hashOf } from './support/links.js';

const magnetOf = (n: number) => `magnet:?xt=urn:btih:${hashOf(n)}`;

describe('faults qBittorrent can produce only in a fake', () => {
  failOnUnhandledRejections();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(dialect: FakeDialect, env: Record<string, string> = {}) {
    const qbittorrent = await FakeQbittorrent.start({ dialect });
    const sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, ...env });
    cleanups.push(
      () => qbittorrent.stop(),
      () => sut.close(),
    );
    return { qbittorrent, sut };
  }

  it('fault: qBittorrent accepts the connection and never answers (no HTTP at all)', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.stop());
    const sut = await startApp({
      QBITTORRENT_URL: silent.url,
      QBITTORRENT_TIMEOUT_MS: '300',
      RETRY_BASE_DELAY_MS: '100',
    });
    cleanups.push(() => sut.close());

    const started = Date.now();
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    const elapsed = Date.now() - started;

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      status: 'error',
      hash: null,
      error: `Adding torrent ${hashOf(1)} to qBittorrent failed after 3 attempts: qBittorrent did not answer auth/login within 300 ms`,
    });
    // 3 attempts x 300 ms + 100 ms + 200 ms of backoff, plus scheduling slack.
    expect(elapsed).toBeGreaterThanOrEqual(3 * 300 + 300 - 50); // timers may fire a few ms early
    expect(elapsed).toBeLessThan(3 * 300 + 300 + 1000);
    report(
      'silent TCP peer, QBITTORRENT_TIMEOUT_MS=300',
      `500 after ${elapsed} ms: ${response.body.error}`,
    );
  });

  it('fault: qBittorrent logs in, then hangs on torrents/add', async () => {
    const { qbittorrent, sut } = await setUp('5.3.0', {
      QBITTORRENT_TIMEOUT_MS: '250',
      RETRY_BASE_DELAY_MS: '50',
    });
    await sut.client.login();
    qbittorrent.inject('torrents/add', { kind: 'hang' }, 3);

    const started = Date.now();
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });
    const elapsed = Date.now() - started;

    expect(response.status).toBe(500);
    expect(response.body.error).toBe(
      `Adding torrent ${hashOf(1)} to qBittorrent failed after 3 attempts: qBittorrent did not answer torrents/add within 250 ms`,
    );
    expect(elapsed).toBeLessThan(3 * 250 + 150 + 1000);
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(3);
    report('torrents/add never answered', `500 after ${elapsed} ms, 3 attempts`);
  });

  it.each<[string, FakeDialect, Fault, number, string]>([
    [
      'an HTML page with 200 to torrents/add, nothing added',
      '4.5.2',
      { kind: 'body', body: '<html><body>Welcome to nginx!</body></html>' },
      500,
      'failed after 1 attempt (not retried): qBittorrent gave an unreadable answer to torrents/add: expected JSON',
    ],
    [
      'a truncated JSON receipt to torrents/add, nothing added',
      '5.3.0',
      { kind: 'body', body: '{"added_torrent_ids":["00', contentType: 'application/json' },
      500,
      'qBittorrent gave an unreadable answer to torrents/add',
    ],
    [
      'a truncated JSON receipt to torrents/add after qBittorrent added the torrent',
      '5.3.0',
      {
        kind: 'body',
        body: '{"added_torrent_ids":["00',
        contentType: 'application/json',
        afterHandling: true,
      },
      201,
      '',
    ],
    [
      'a 502 page from a reverse proxy, three times',
      '5.1.0',
      { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>' },
      500,
      'failed after 3 attempts: qBittorrent answered HTTP 502 to torrents/add',
    ],
    [
      'the connection dropped mid-request, three times',
      '4.5.2',
      { kind: 'destroy' },
      500,
      'failed after 3 attempts: qBittorrent at',
    ],
  ])('fault: %s', async (name, dialect, fault, expected, message) => {
    const { qbittorrent, sut } = await setUp(dialect);
    qbittorrent.inject('torrents/add', fault, fault.kind === 'body' ? 1 : 3);

    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url: magnetOf(1) });

    expect(Object.keys(response.body).sort()).toEqual(['error', 'hash', 'status']);
    expect(response.status).toBe(expected);
    // Accepted exactly when qBittorrent holds the torrent.
    expect(qbittorrent.torrents.has(hashOf(1))).toBe(expected === 201);
    if (expected !== 201) expect(response.body.error).toContain(message);
    report(name, `${response.status}: ${response.body.error ?? response.body.hash}`);
  });

  it.each<[string, Fault]>([
    ['an HTML page with 200', { kind: 'body', body: '<html>login</html>' }],
    ['truncated JSON', { kind: 'body', body: '[{"hash":"00', contentType: 'application/json' }],
    [
      'JSON of another shape',
      { kind: 'body', body: '{"torrents":[]}', contentType: 'application/json' },
    ],
    [
      'an array of non-torrents',
      { kind: 'body', body: '[1,2,3]', contentType: 'application/json' },
    ],
  ])('fault: torrents/info answers %s', async (name, fault) => {
    const { qbittorrent, sut } = await setUp('5.3.0');
    qbittorrent.inject('torrents/info', fault);

    const response = await request(sut.app.getHttpServer()).get(`/downloads?hashes=${hashOf(1)}`);

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: expect.stringMatching(
        /^Reading torrents from qBittorrent failed after 1 attempt \(not retried\): qBittorrent gave an unreadable answer to torrents\/info: expected /,
      ),
    });
    report(`torrents/info answers ${name}`, `500: ${response.body.error}`);
  });

  it('fault: qBittorrent forgets every session while 50 requests are in flight', async () => {
    const { qbittorrent, sut } = await setUp('5.3.0');
    await sut.client.login();
    qbittorrent.inject('torrents/add', { kind: 'delay', ms: 50 }, 10);
    const pending = Array.from({ length: 50 }, (_, i) =>
      request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: i + 1, url: magnetOf(i + 1) }),
    );
    setTimeout(() => qbittorrent.expireSessions(), 20);

    const responses = await Promise.all(pending);

    const accepted = responses.filter((response) => response.status === 201);
    for (const response of accepted)
      expect(qbittorrent.torrents.has(response.body.hash)).toBe(true);
    expect(accepted).toHaveLength(50);
    expect(qbittorrent.callsTo('auth/login').length).toBeLessThanOrEqual(3);
    report(
      'sessions expired under 50 concurrent adds',
      `${accepted.length}/50 accepted, all present; ${qbittorrent.callsTo('auth/login').length} logins in all`,
    );
  });

  it('fault: the core service is down, then answers 500, then is back (flapping)', async () => {
    const port = await freePort();
    const { sut } = await setUp('4.5.2', {
      CORE_SERVICE_URL: `http://127.0.0.1:${port}`,
      REGISTRATION_INITIAL_DELAY_MS: '20',
      REGISTRATION_MAX_DELAY_MS: '50',
    });
    const waitForLog = async (text: string) => {
      const deadline = Date.now() + 5000;
      while (!sut.logs.text().includes(text)) {
        if (Date.now() > deadline) throw new Error(`no log line with ${text}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await waitForLog('the core service is unreachable (ECONNREFUSED)');

    let core = await FakeCoreService.start([500, 500], port);
    await waitForLog('the core service answered HTTP 500');
    await core.stop();
    core = await FakeCoreService.start([201], port);
    cleanups.push(() => core.stop());
    await waitForLog('Registered with the core service');

    expect((await request(sut.app.getHttpServer()).get('/health')).status).toBe(200);
    report(
      'core down, then 500, then up',
      `registered; ${core.registrations.length} request to the restored core`,
    );
  });
});
