import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { makeTorrent } from './support/torrent-files.js';
import { TorrentServer } from './support/torrent-server.js';

/** Fetching .torrent links: what qBittorrent receives, and every way a link can be bad. */
describe.each(DIALECTS)('.torrent links against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let site: TorrentServer;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    site = await TorrentServer.start();
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
      TORRENT_FETCH_TIMEOUT_MS: '1000',
      TORRENT_FETCH_MAX_BYTES: String(1024 * 1024),
    });
  });

  afterAll(async () => {
    await sut.close();
    await site.stop();
    await qbittorrent.stop();
  });

  it.each(['v1', 'v2', 'hybrid'] as const)(
    'fetches a %s .torrent, uploads it and answers the id qBittorrent holds it under',
    async (version) => {
      const made = makeTorrent({ version });
      const url = site.file(`/Download/${version}.torrent`, made.bytes);
      const addsBefore = qbittorrent.callsTo('torrents/add').length;

      const response = await http()
        .post('/download')
        .send({ link_id: 7, url, save_path: '/downloads/Show', category: 'bangumi' });

      // libtorrent 1.2 (4.2.5) holds a hybrid by its v1 id, and cannot take a v2-only one.
      const id = qbittorrent.knowsV2 ? made.id : made.v1;
      if (id === null) {
        expect(response.status).toBe(400);
        expect(response.body.status).toBe('unsupported');
        expect(response.body.error).toMatch(
          /BitTorrent v2 only.*qBittorrent v4\.2\.5 runs libtorrent 1\.x/,
        );
        expect(qbittorrent.callsTo('torrents/add')).toHaveLength(addsBefore);
        return;
      }
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ status: 'accepted', hash: id, error: null });
      const upload = qbittorrent.callsTo('torrents/add').at(-1);
      expect(upload?.uploads).toEqual([made.bytes]);
      expect(upload?.form.get('savepath')).toBe('/downloads/Show');
      expect(upload?.form.get('category')).toBe('bangumi');
      // Before WebAPI 2.6.2 the tag goes on with torrents/addTags once qBittorrent lists it.
      expect(upload?.form.get('tags')).toBe(qbittorrent.spec.tagsOnAdd ? 'link:7' : null);
      expect(qbittorrent.torrents.get(id)?.tags).toBe('link:7');
      expect(qbittorrent.torrents.get(id)?.name).toBe(made.name);
    },
  );

  it('follows a redirect, and accepts the same file twice (qBittorrent already holds it)', async () => {
    const made = makeTorrent();
    const target = site.file('/cdn/a.torrent', made.bytes);
    const url = site.redirect('/Download/a.torrent', target);
    for (let i = 0; i < 2; i++) {
      const response = await http().post('/download').send({ link_id: 8, url });
      expect(response.body).toEqual({ status: 'accepted', hash: made.id, error: null });
    }
  });

  it('retries a 503 from the site and then succeeds', async () => {
    const made = makeTorrent();
    const url = site.flaky('/Download/flaky.torrent', 503, 1, made.bytes);
    const response = await http().post('/download').send({ link_id: 9, url });
    expect(response.body).toEqual({ status: 'accepted', hash: made.id, error: null });
    expect(site.hits.get('/Download/flaky.torrent')).toBe(2);
  });

  it.each<[string, () => string, number, string]>([
    ['an empty file', () => site.file('/empty.torrent', ''), 400, 'the file is empty'],
    [
      'an HTML page',
      () => site.file('/page.torrent', '<!DOCTYPE html><h1>Mikan</h1>', 'text/html'),
      400,
      'HTML or XML page',
    ],
    [
      'a file over the size cap',
      () => site.endless('/huge.torrent', 50 * 1024 * 1024),
      400,
      'larger than 1048576 bytes',
    ],
    [
      'a redirect loop',
      () => site.redirect('/loop.torrent', '/loop.torrent'),
      400,
      'more than 5 redirects',
    ],
    ['a 404', () => site.url('/missing.torrent'), 400, 'answered HTTP 404'],
    [
      'a site that never answers',
      () => site.hang('/slow.torrent'),
      502,
      'no complete answer within 1000 ms',
    ],
    [
      'a 500 every time',
      () => site.flaky('/down.torrent', 500, 99, Buffer.alloc(0)),
      502,
      'failed after 3 attempts',
    ],
  ])('refuses %s with a clear error, and sends nothing', async (_what, serve, status, reason) => {
    const adds = qbittorrent.callsTo('torrents/add').length;
    const url = serve();
    const response = await http().post('/download').send({ link_id: 10, url });
    console.log(`input: .torrent link, ${_what} -> ${response.status}: ${response.body.error}`);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      status: status === 400 ? 'unsupported' : 'error',
      hash: null,
      error: expect.stringContaining(reason),
    });
    expect(qbittorrent.callsTo('torrents/add').length).toBe(adds);
  });

  it('never answers or logs the query string of a link (trackers put passkeys there)', async () => {
    const url = `${site.url('/missing.torrent')}?passkey=s3cr3t-passkey`;
    const response = await http().post('/download').send({ link_id: 11, url });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toContain('s3cr3t');
    expect(sut.logs.text()).not.toContain('s3cr3t');
  });

  it('mixes magnets and .torrent links in one batch, each answered in place', async () => {
    const made = makeTorrent();
    const items = [
      { url: site.file('/batch/1.torrent', made.bytes), save_path: '/downloads' },
      { url: `magnet:?xt=urn:btih:${'e'.repeat(40)}`, save_path: '/downloads' },
      { url: site.file('/batch/bad.torrent', 'not bencoded'), save_path: '/downloads' },
    ];
    const response = await http().post('/downloads').send({ items });
    expect(response.body.results).toEqual([
      { url: items[0].url, hash: made.id, status: 'accepted', reason: null, warning: null },
      { url: items[1].url, hash: 'e'.repeat(40), status: 'accepted', reason: null, warning: null },
      {
        url: items[2].url,
        hash: null,
        status: 'failed',
        reason: expect.stringContaining('not a bencoded dictionary'),
        warning: null,
      },
    ]);
  });
});

describe('.torrent links to private addresses (TORRENT_FETCH_ALLOW_PRIVATE off, the default)', () => {
  let qbittorrent: FakeQbittorrent;
  let site: TorrentServer;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    site = await TorrentServer.start();
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterAll(async () => {
    await sut.close();
    await site.stop();
    await qbittorrent.stop();
  });

  it.each([
    ['a loopback address', (port: number) => `http://127.0.0.1:${port}/a.torrent`, 'loopback'],
    ['an IPv6 loopback address', (port: number) => `http://[::1]:${port}/a.torrent`, 'loopback'],
    [
      'a name that resolves to loopback',
      (port: number) => `http://localhost:${port}/a.torrent`,
      'loopback',
    ],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data', 'link-local'],
    ['a private address', () => 'http://10.0.0.1/a.torrent', 'private'],
  ])('refuses %s without connecting', async (_what, urlOf, range) => {
    const served = makeTorrent();
    site.file('/a.torrent', served.bytes);
    const response = await http()
      .post('/download')
      .send({ link_id: 1, url: urlOf(site.port) });
    expect(response.status).toBe(400);
    expect(response.body.error).toContain(range);
    expect(response.body.error).toContain('TORRENT_FETCH_ALLOW_PRIVATE=true');
    expect(site.hits.get('/a.torrent')).toBeUndefined();
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(0);
  });
});

describe('.torrent links through TORRENT_FETCH_PROXY', () => {
  let qbittorrent: FakeQbittorrent;
  let site: TorrentServer;
  let proxy: Server;
  const proxied: string[] = [];
  let sut: TestApp;

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    site = await TorrentServer.start();
    // A minimal forward proxy: plain requests by absolute URL, and CONNECT tunnels.
    proxy = createServer((incoming, outgoing) => {
      proxied.push(`${incoming.method} ${incoming.url}`);
      const target = new URL(incoming.url ?? '');
      const upstream = connect(Number(target.port), target.hostname, () => {
        upstream.write(
          `GET ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\nconnection: close\r\n\r\n`,
        );
      });
      upstream.pipe(outgoing.socket!);
    });
    proxy.on('connect', (incoming, socket) => {
      proxied.push(`CONNECT ${incoming.url}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
      TORRENT_FETCH_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
  });

  afterAll(async () => {
    await sut.close();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await site.stop();
    await qbittorrent.stop();
  });

  it('fetches through the proxy', async () => {
    const made = makeTorrent();
    const url = site.file('/via-proxy.torrent', made.bytes);
    const response = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url });
    expect(response.body).toEqual({ status: 'accepted', hash: made.id, error: null });
    expect(proxied).toEqual([`GET ${url}`]);
  });
});
