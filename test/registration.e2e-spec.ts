import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { freePort } from '../scripts/lib/ports.mjs';
import { FakeCoreService } from './fakes/fake-core-service.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';

const waitFor = async (condition: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('registration with the core service', () => {
  let qbittorrent: FakeQbittorrent;
  let core: FakeCoreService | undefined;
  let sut: TestApp | undefined;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start();
  });

  afterEach(async () => {
    await sut?.close();
    await core?.stop();
    await qbittorrent.stop();
    sut = undefined;
    core = undefined;
  });

  const env = (coreUrl: string) => ({
    QBITTORRENT_URL: qbittorrent.url,
    CORE_SERVICE_URL: coreUrl,
    SERVICE_NAME: 'downloader-qbittorrent',
    SERVICE_HOST: 'downloader.test',
    PORT: '8002',
    REGISTRATION_INITIAL_DELAY_MS: '20',
    REGISTRATION_MAX_DELAY_MS: '40',
  });

  it('posts the documented payload once and logs the answer', async () => {
    core = await FakeCoreService.start([201]);
    sut = await startApp(env(core.url));
    await waitFor(() => core!.registrations.length === 1);

    expect(core.registrations[0]).toEqual({
      service_type: 'downloader',
      service_name: 'downloader-qbittorrent',
      host: 'downloader.test',
      port: 8002,
      capabilities: {
        download_endpoint: '/download',
        batch_download_endpoint: '/downloads',
        supported_download_types: ['magnet', 'torrent'],
      },
    });
    await waitFor(() => sut!.logs.text().includes('service_id=svc-1'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(core.registrations).toHaveLength(1);
  });

  it('retries with doubling, capped delays while the core fails, then stops once accepted', async () => {
    core = await FakeCoreService.start([500, 503, 500, 500, 200]);
    sut = await startApp(env(core.url));
    await waitFor(() => core!.registrations.length === 5);

    const gaps = core.requestTimes.slice(1).map((time, i) => time - core!.requestTimes[i]);
    // 20, 40, then capped at 40 (timer slack only ever makes a gap longer).
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeLessThan(80);
    expect(sut.logs.text()).toMatch(
      /attempt 1 failed \(the core service answered HTTP 500\); retrying in 20 ms/,
    );
    expect(sut.logs.text()).toMatch(
      /attempt 3 failed \(the core service answered HTTP 500\); retrying in 40 ms/,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(core.registrations).toHaveLength(5);
  });

  it('keeps trying while the core is down, without blocking start-up, and registers once it is up', async () => {
    const port = await freePort();
    sut = await startApp(env(`http://127.0.0.1:${port}`));
    await request(sut.app.getHttpServer()).get('/health').expect(200);
    await waitFor(() =>
      sut!.logs.text().includes('the core service is unreachable (ECONNREFUSED)'),
    );

    core = await FakeCoreService.start([201], port);
    await waitFor(() => core!.registrations.length === 1);
  });

  it('stops retrying on shutdown', async () => {
    core = await FakeCoreService.start([500]);
    sut = await startApp(env(core.url));
    await waitFor(() => core!.registrations.length >= 2);

    const started = Date.now();
    await sut.close();
    sut = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
    const count = core.registrations.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(core.registrations).toHaveLength(count);
  });

  it('is off, and says so, when CORE_SERVICE_URL is empty', async () => {
    sut = await startApp(env(''));
    expect(sut.logs.text()).toContain(
      'CORE_SERVICE_URL is empty: registration with the core service is off',
    );
  });
});
