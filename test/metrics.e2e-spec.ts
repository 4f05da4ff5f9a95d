import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { hashOf } from './support/links.js';

const TOKEN = 'a-token-of-at-least-16-characters';

/** The value of one sample of the Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const auth = `Bearer ${TOKEN}`;
  /** The instance label of the one qBittorrent: its host and port. */
  let instance: string;

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, API_TOKEN: TOKEN });
    instance = `127.0.0.1:${qbittorrent.port}`;
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('counts downloads by outcome, qBittorrent calls by operation, retries and logins, with process metrics', async () => {
    const post = (body: object) =>
      request(sut.app.getHttpServer()).post('/download').set('authorization', auth).send(body);
    await post({ link_id: 1, url: `magnet:?xt=urn:btih:${hashOf(1)}` }); // accepted
    await post({ link_id: 2, url: `magnet:?xt=urn:btih:${hashOf(2)}` }); // accepted
    await post({ link_id: 3, url: 'ftp://example.com/x.torrent' }); // unsupported
    qbittorrent.inject('torrents/add', { kind: 'status', status: 503 }, 3);
    await post({ link_id: 4, url: `magnet:?xt=urn:btih:${hashOf(4)}` }); // error after 2 retries
    await request(sut.app.getHttpServer())
      .post('/downloads')
      .set('authorization', auth)
      .send({ items: [{ url: `magnet:?xt=urn:btih:${hashOf(5)}` }, { url: 'nope' }] }); // accepted + unsupported

    const response = await request(sut.app.getHttpServer())
      .get('/metrics')
      .set('authorization', auth);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(sample(text, 'downloader_downloads_total', '{outcome="accepted"}')).toBe(3);
    expect(sample(text, 'downloader_downloads_total', '{outcome="unsupported"}')).toBe(2);
    expect(sample(text, 'downloader_downloads_total', '{outcome="error"}')).toBe(1);
    expect(sample(text, 'downloader_retries_total', '{operation="add"}')).toBe(2);
    expect(
      sample(
        text,
        'downloader_qbittorrent_logins_total',
        `{qbittorrent="${instance}",outcome="success"}`,
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'downloader_qbittorrent_logins_total',
        `{qbittorrent="${instance}",outcome="refused"}`,
      ),
    ).toBe(0);
    expect(
      sample(
        text,
        'downloader_qbittorrent_request_duration_seconds_count',
        `{qbittorrent="${instance}",operation="torrents/add",status="200"}`,
      ),
    ).toBe(3);
    expect(
      sample(
        text,
        'downloader_qbittorrent_request_duration_seconds_count',
        `{qbittorrent="${instance}",operation="torrents/add",status="503"}`,
      ),
    ).toBe(3);
    expect(
      sample(
        text,
        'downloader_qbittorrent_request_duration_seconds_count',
        `{qbittorrent="${instance}",operation="auth/login",status="204"}`,
      ),
    ).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('wants the API token like every other endpoint', async () => {
    const response = await request(sut.app.getHttpServer()).get('/metrics');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: 'missing bearer token (Authorization: Bearer <API_TOKEN>)',
    });
  });
});
