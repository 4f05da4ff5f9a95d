import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { hashOf, magnetOf } from './support/links.js';
import { torrentOfSize } from './support/torrent-files.js';
import { TorrentServer } from './support/torrent-server.js';

const GiB = 1024 ** 3;

/** The value of one sample of the Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until it answers something defined, for up to 10 s. */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error('never came');
}

describe('/metrics for alerts (deploy/monitoring)', () => {
  const fakes: FakeQbittorrent[] = [];
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
    for (const fake of fakes.splice(0)) await fake.stop();
  });

  const start = async (env: Record<string, string> = {}, count = 1) => {
    for (let n = 0; n < count; n++) fakes.push(await FakeQbittorrent.start({ dialect: '5.3.0' }));
    sut = await startApp({
      QBITTORRENT_URL: fakes.map((fake) => fake.url).join(','),
      ...env,
    });
    return sut;
  };
  const server = () => (sut as TestApp).app.getHttpServer();
  const scrape = async () => (await request(server()).get('/metrics')).text;
  const add = (linkId: number, url: string) =>
    request(server()).post('/download').send({ link_id: linkId, url });

  it('with one qBittorrent, reads nothing in the background until /metrics is first scraped, then keeps it in view', async () => {
    await start({ DEAD_TORRENT_AFTER_S: '1' });
    const [qbittorrent] = fakes;
    const label = `127.0.0.1:${qbittorrent.port}`;
    expect((await add(1, magnetOf(1))).status).toBe(201);
    // A tracker answers it (no peer sends the metadata): stalled for want of metadata.
    const torrent = qbittorrent.torrents.get(hashOf(1));
    if (torrent !== undefined) torrent.tracker = 'http://tracker.test/announce';
    await request(server()).get(`/downloads?hashes=${hashOf(1)}`);
    await sleep(1500);
    expect(qbittorrent.callsTo('sync/maindata')).toHaveLength(0);

    const first = await scrape();
    // Before the first read: no torrent counts (never a zero that would mean "none").
    expect(
      sample(
        first,
        'downloader_torrents',
        `{qbittorrent="${label}",status="downloading",state="metadata"}`,
      ),
    ).toBeUndefined();
    const text = await eventually(async () => {
      const later = await scrape();
      return sample(
        later,
        'downloader_torrents_dead',
        `{qbittorrent="${label}",reason="no_metadata"}`,
      ) === 1
        ? later
        : undefined;
    });
    expect(qbittorrent.callsTo('sync/maindata').length).toBeGreaterThan(0);
    const of = (name: string, labels: string) =>
      sample(text, name, `{qbittorrent="${label}"${labels}}`);
    expect(of('downloader_torrents', ',status="downloading",state="metadata"')).toBe(1);
    expect(of('downloader_torrents', ',status="completed",state="completed"')).toBe(0);
    expect(of('downloader_torrents_stalled', ',reason="no_metadata"')).toBe(1);
    expect(of('downloader_torrents_stalled', ',reason="trackers_failing"')).toBe(0);
    expect(of('downloader_qbittorrent_free_space_bytes', '')).toBe(qbittorrent.freeSpace);
    expect(of('downloader_qbittorrent_dht_nodes', '')).toBe(0);
    expect(of('downloader_qbittorrent_connection_status', ',status="firewalled"')).toBe(1);
    expect(of('downloader_qbittorrent_connection_status', ',status="connected"')).toBe(0);
    // The fake's settings: queueing on, slow torrents counted.
    expect(of('downloader_qbittorrent_risky_settings', ',setting="queueing_counts_stalled"')).toBe(
      1,
    );
    expect(of('downloader_qbittorrent_download_slots', '')).toBe(3);
    expect(of('downloader_dead_torrents_in_slots', '')).toBe(1);

    // One qBittorrent stays one: an add still goes to it with no room left in its view.
    qbittorrent.freeSpace = 1;
    await sleep(5500); // the next read
    expect((await add(2, magnetOf(2))).status).toBe(201);
  });

  it('counts a magnet no tracker answers as trackers_failing, and the DHT and connection each reports', async () => {
    await start({ DEAD_TORRENT_AFTER_S: '1' });
    const [qbittorrent] = fakes;
    qbittorrent.dhtNodes = 0;
    qbittorrent.connectionStatus = 'disconnected';
    qbittorrent.preferences.dont_count_slow_torrents = true;
    const label = `127.0.0.1:${qbittorrent.port}`;
    await add(1, `${magnetOf(1)}&tr=http%3A%2F%2F127.0.0.1%3A9%2Fannounce`);
    await scrape();
    const text = await eventually(async () => {
      const later = await scrape();
      return sample(
        later,
        'downloader_torrents_dead',
        `{qbittorrent="${label}",reason="trackers_failing"}`,
      ) === 1
        ? later
        : undefined;
    });
    expect(
      sample(
        text,
        'downloader_qbittorrent_connection_status',
        `{qbittorrent="${label}",status="disconnected"}`,
      ),
    ).toBe(1);
    // "Do not count slow torrents": a dead one holds no slot.
    expect(sample(text, 'downloader_dead_torrents_in_slots', `{qbittorrent="${label}"}`)).toBe(0);
  });

  it('counts failed adds by reason, and when one was last accepted', async () => {
    await start({ QBITTORRENT_PASSWORD: 'wrong-password', QBITTORRENT_USER: 'admin' });
    const before = await scrape();
    const startedAt = sample(before, 'downloader_last_accepted_timestamp_seconds') ?? 0;
    expect(startedAt).toBeGreaterThan(Date.now() / 1000 - 60);
    for (const reason of ['auth_refused', 'unreachable', 'no_room', 'unsupported']) {
      expect(sample(before, 'downloader_download_failures_total', `{reason="${reason}"}`)).toBe(0);
    }
    expect((await add(1, magnetOf(1))).status).toBe(500);
    expect((await add(2, 'ftp://example.com/x.torrent')).status).toBe(400);
    const after = await scrape();
    expect(sample(after, 'downloader_download_failures_total', '{reason="auth_refused"}')).toBe(1);
    expect(sample(after, 'downloader_download_failures_total', '{reason="unsupported"}')).toBe(1);
    expect(sample(after, 'downloader_last_accepted_timestamp_seconds')).toBe(startedAt);
  });

  it('moves the last-accepted time with an accepted add, and counts an unreachable qBittorrent as such', async () => {
    await start({ RETRY_MAX_ATTEMPTS: '1' });
    const startedAt = sample(await scrape(), 'downloader_last_accepted_timestamp_seconds') ?? 0;
    await sleep(20);
    expect((await add(1, magnetOf(1))).status).toBe(201);
    const accepted = sample(await scrape(), 'downloader_last_accepted_timestamp_seconds') ?? 0;
    expect(accepted).toBeGreaterThan(startedAt);
    await fakes[0].stop();
    fakes.splice(0);
    expect((await add(2, magnetOf(2))).status).toBeGreaterThanOrEqual(500);
    const text = await scrape();
    expect(sample(text, 'downloader_download_failures_total', '{reason="unreachable"}')).toBe(1);
  });

  it('with several, counts a torrent that fits nowhere as no_room', async () => {
    await start({ TORRENT_FETCH_ALLOW_PRIVATE: 'true' }, 2);
    for (const fake of fakes) fake.freeSpace = 2 * GiB;
    await eventually(async () => {
      const text = await scrape();
      const known = fakes.every(
        (fake) =>
          sample(
            text,
            'downloader_qbittorrent_free_space_bytes',
            `{qbittorrent="127.0.0.1:${fake.port}"}`,
          ) ===
          2 * GiB,
      );
      return known ? true : undefined;
    });
    const site = await TorrentServer.start();
    try {
      const url = site.file('/big.torrent', torrentOfSize(10 * GiB).bytes);
      expect((await add(1, url)).status).toBe(507);
    } finally {
      await site.stop();
    }
    const text = await scrape();
    expect(sample(text, 'downloader_download_failures_total', '{reason="no_room"}')).toBe(1);
  });
});
