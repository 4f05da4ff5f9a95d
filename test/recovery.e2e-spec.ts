import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeCoreService } from './fakes/fake-core-service.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { report } from './support/faults.js';
import { magnetOf } from './support/links.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const links = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ url: magnetOf(from + i), link_id: from + i }));

/**
 * The core re-sends what failed only when a downloader registers (retry_failed_downloads): the
 * service registers again once qBittorrent answers after an outage. A fake core that acts as the
 * real one records each link's last result and re-sends the failed ones on every registration.
 */
describe('an outage costs no episode: registering again once qBittorrent is back', () => {
  let qbittorrent: FakeQbittorrent;
  let core: FakeCoreService;
  let sut: TestApp;

  const start = async (env: Record<string, string> = {}) => {
    qbittorrent = await FakeQbittorrent.start();
    core = await FakeCoreService.start([201]);
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      CORE_SERVICE_URL: core.url,
      REGISTRATION_INITIAL_DELAY_MS: '20',
      REGISTRATION_MAX_DELAY_MS: '40',
      ...env,
    });
    core.downloader = await sut.app.getUrl();
    await waitFor(() => core.registrations.length === 1, 5000);
  };
  const recoveries = () => sut.logs.lines.filter((line) => line.includes('answers again'));

  afterEach(async () => {
    await sut.close();
    await core.stop();
    await qbittorrent.stop().catch(() => undefined);
  });

  it('has the core re-send the 50 links it sent while qBittorrent was down, and all are accepted', async () => {
    await start();
    const { port } = qbittorrent;
    await qbittorrent.stop();
    await core.dispatch(links(1, 50));
    expect(core.linksIn('failed')).toHaveLength(50);

    qbittorrent = await FakeQbittorrent.start({ port });
    const back = Date.now();
    await waitFor(() => core.registrations.length === 2, 10_000);
    const registeredMs = Date.now() - back;
    expect(registeredMs).toBeLessThan(5000);
    await expect(core.resends[1]).resolves.toBe(50);
    expect(core.linksIn('downloading')).toHaveLength(50);
    expect(qbittorrent.torrents.size).toBe(50);
    expect(recoveries()).toEqual([
      expect.stringContaining(
        'qBittorrent answers again: registering with the core so that it re-sends what failed',
      ),
    ]);
    const metrics = (await request(sut.app.getHttpServer()).get('/metrics')).text;
    expect(metrics).toContain('downloader_registrations_total{cause="startup"} 1');
    expect(metrics).toContain('downloader_registrations_total{cause="recovery"} 1');
    await sleep(1000);
    expect(core.registrations).toHaveLength(2); // one registration for one recovery
    report(
      'qBittorrent down while the core sent 50 links',
      `registered again ${registeredMs} ms after it was back; all 50 accepted on the re-send`,
    );
  });

  it('turns what a failed poll made downloader_error back into downloads', async () => {
    await start();
    await core.dispatch(links(100, 10));
    expect(core.linksIn('downloading')).toHaveLength(10);
    const { port } = qbittorrent;
    await qbittorrent.stop();
    await core.poll();
    expect(core.linksIn('downloader_error')).toHaveLength(10);
    qbittorrent = await FakeQbittorrent.start({ port }); // a new profile: it lost them
    await waitFor(() => core.registrations.length === 2, 10_000);
    await expect(core.resends[1]).resolves.toBe(10);
    expect(core.linksIn('downloading')).toHaveLength(10);
    expect(qbittorrent.torrents.size).toBe(10);
  });

  it('registers at most once an interval for a qBittorrent that flaps, and once after the last return', async () => {
    await start({ REGISTRATION_RECOVERY_INTERVAL_MS: '3000' });
    const http = () => request(sut.app.getHttpServer());
    const { port } = qbittorrent;
    let lastBack = 0;
    for (let flap = 0; flap < 10; flap++) {
      await qbittorrent.stop();
      await http().get('/health/ready').expect(503); // seen down
      qbittorrent = await FakeQbittorrent.start({ port });
      await http().get('/health/ready').expect(200); // seen back
      lastBack = Date.now();
      await sleep(100);
    }
    await waitFor(() => core.registrations.length === 3, 10_000);
    await sleep(3500);
    const times = core.requestTimes.slice(1);
    expect(times).toHaveLength(2); // the first return, then one after the last
    // Measured where the core receives them, not where the service times them: the first one's
    // transit, and a timer that fires on the millisecond, can take a little off (2999 ms seen).
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(3000 - 100);
    expect(times[1]).toBeGreaterThanOrEqual(lastBack);
    expect(recoveries()).toHaveLength(10);
  });

  it('does not register again while all is steady', async () => {
    await start();
    await core.dispatch(links(200, 5));
    for (let i = 0; i < 100; i++) {
      await core.poll();
      await sleep(20);
    }
    expect(core.registrations).toHaveLength(1);
    expect(recoveries()).toEqual([]);
  });
});
