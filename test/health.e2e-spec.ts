import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { freePort } from '../scripts/lib/ports.mjs';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp } from './support/app.js';

describe('GET /health', () => {
  it('answers 200 OK in plain text even when qBittorrent is down', async () => {
    const sut = await startApp({ QBITTORRENT_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const response = await request(sut.app.getHttpServer()).get('/health');
      expect(response.status).toBe(200);
      expect(response.text).toBe('OK');
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.headers['x-powered-by']).toBeUndefined();
    } finally {
      await sut.close();
    }
  });
});

describe('GET /health, answered before the framework', () => {
  it('answers the same on the fast path and through Nest, with a request id', async () => {
    const sut = await startApp({ QBITTORRENT_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const fast = await request(sut.app.getHttpServer())
        .get('/health')
        .set('x-request-id', 'probe-1');
      const framework = await request(sut.app.getHttpServer()).get('/health?from=probe');
      for (const response of [fast, framework]) {
        expect(response.status).toBe(200);
        expect(response.text).toBe('OK');
        expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['x-request-id']).toBeDefined();
      }
      expect(fast.headers['x-request-id']).toBe('probe-1');
      // Everything else still reaches the application.
      expect((await request(sut.app.getHttpServer()).get('/healthz')).status).toBe(404);
      expect((await request(sut.app.getHttpServer()).get('/health/ready')).status).toBe(503);
    } finally {
      await sut.close();
    }
  });
});

describe('GET /health/ready', () => {
  it.each(DIALECTS)(
    '200 with the version when qBittorrent %s is up and we are logged in',
    async (dialect) => {
      const qbittorrent = await FakeQbittorrent.start({ dialect });
      const sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
      try {
        const response = await request(sut.app.getHttpServer()).get('/health/ready');
        expect(response.status).toBe(200);
        // qBittorrent's defaults queue downloads without "do not count slow torrents".
        const up = {
          status: 'up',
          url: qbittorrent.url,
          version: qbittorrent.spec.app,
          webApiVersion: qbittorrent.spec.webApi,
          risky_settings: [
            {
              setting: 'queueing without "do not count slow torrents"',
              risk: expect.stringContaining('dead magnets keep their download slots'),
            },
          ],
        };
        expect(response.body).toEqual({
          status: 'ok',
          info: { qbittorrent: up },
          error: {},
          details: { qbittorrent: up },
        });
      } finally {
        await sut.close();
        await qbittorrent.stop();
      }
    },
  );

  it('names a qBittorrent older than the oldest proven one, in readiness and once at start-up', async () => {
    const qbittorrent = await FakeQbittorrent.start({ dialect: '4.2.5', appVersion: 'v4.1.9' });
    const sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
    try {
      const response = await request(sut.app.getHttpServer()).get('/health/ready');
      expect(response.status).toBe(200);
      expect(response.body.info.qbittorrent.risky_settings[0]).toEqual({
        setting: 'qBittorrent v4.1.9',
        risk: expect.stringContaining(
          'older than 4.2.5, the oldest version this service is proven on',
        ),
      });
      for (let i = 0; i < 100 && !sut.logs.text().includes('settings that can'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const named = sut.logs.lines.filter((line) => line.includes('qBittorrent v4.1.9 (older'));
      expect(named).toHaveLength(1);
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });

  it('503 naming the cause while qBittorrent is down, then 200 by itself once it is up', async () => {
    const port = await freePort();
    const sut = await startApp({ QBITTORRENT_URL: `http://127.0.0.1:${port}` });
    let qbittorrent: FakeQbittorrent | undefined;
    try {
      const down = await request(sut.app.getHttpServer()).get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('error');
      expect(down.body.error.qbittorrent).toEqual({
        status: 'down',
        url: `http://127.0.0.1:${port}`,
        message: `qBittorrent at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`,
      });

      qbittorrent = await FakeQbittorrent.start({ port, dialect: '5.1.0' });
      const up = await request(sut.app.getHttpServer()).get('/health/ready');
      expect(up.status).toBe(200);
      expect(up.body.info.qbittorrent.version).toBe('v5.1.0');
    } finally {
      await sut.close();
      await qbittorrent?.stop();
    }
  });

  it('503 when qBittorrent answers garbage', async () => {
    const qbittorrent = await FakeQbittorrent.start();
    const sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
    try {
      await request(sut.app.getHttpServer()).get('/health/ready').expect(200);
      qbittorrent.inject('app/version', {
        kind: 'status',
        status: 502,
        body: '<html>Bad Gateway</html>',
      });
      const response = await request(sut.app.getHttpServer()).get('/health/ready');
      expect(response.status).toBe(503);
      expect(response.body.error.qbittorrent.message).toBe(
        'qBittorrent answered HTTP 502 to app/version',
      );
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });
});
