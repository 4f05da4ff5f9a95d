import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { hashOf, magnetOf } from './support/links.js';

/** The known ways integrations lose episodes without an error, each closed. */
describe.each(DIALECTS)('nothing silently lost, against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const start = async (env: Record<string, string> = {}) => {
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, ...env });
  };

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
  });

  afterEach(async () => {
    await sut?.close();
    await qbittorrent.stop();
  });

  describe('adds qBittorrent answers but never performs', () => {
    it('adds again once, and accepts when the torrent is then there', async () => {
      await start();
      qbittorrent.inject('torrents/add', { kind: 'body', body: 'Ok.' }); // answered, not added
      const response = await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      expect(response.status).toBe(201);
      expect(response.body.hash).toBe(hashOf(1));
      expect(qbittorrent.callsTo('torrents/add')).toHaveLength(2);
      expect(qbittorrent.torrents.has(hashOf(1))).toBe(true);
      expect(sut.logs.text()).toContain(
        `does not list torrent ${hashOf(1)} it said it added: adding it again`,
      );
    });

    it('answers error when qBittorrent says Ok. twice and holds nothing', async () => {
      await start();
      qbittorrent.inject('torrents/add', { kind: 'body', body: 'Ok.' }, 2);
      const response = await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        status: 'error',
        hash: null,
        error: `qBittorrent answered that it added torrent ${hashOf(1)}, twice, but does not hold it`,
      });
    });

    it('confirms a whole batch in shared looks, re-adding only the missing', async () => {
      await start();
      const items = Array.from({ length: 10 }, (_, i) => ({ url: magnetOf(i + 1) }));
      const before = qbittorrent.callsTo('torrents/info').length;
      const clean = await http().post('/downloads').send({ items });
      expect(clean.body.results.every((r: { status: string }) => r.status === 'accepted')).toBe(
        true,
      );
      // A look shared by the adds answered meanwhile (one here: they all come back at once), and
      // one once qBittorrent has had time to save them (PersistenceGuard): not one per add.
      expect(qbittorrent.callsTo('torrents/info').length - before).toBeLessThanOrEqual(3);

      qbittorrent.torrents.clear();
      qbittorrent.inject('torrents/add', { kind: 'body', body: 'Ok.' }, 3);
      const adds = qbittorrent.callsTo('torrents/add').length;
      const response = await http().post('/downloads').send({ items });
      expect(response.body.results.every((r: { status: string }) => r.status === 'accepted')).toBe(
        true,
      );
      expect(qbittorrent.callsTo('torrents/add').length - adds).toBe(13);
      expect(qbittorrent.torrents.size).toBe(10);
    });

    it.each([202, 204])(
      'takes a %i answer as success, once the list confirms it',
      async (status) => {
        await start();
        qbittorrent.inject('torrents/add', {
          kind: 'status',
          status,
          body: '',
          afterHandling: true,
        });
        const response = await http()
          .post('/download')
          .send({ link_id: 1, url: magnetOf(1) });
        expect(response.status).toBe(201);
        expect(qbittorrent.callsTo('torrents/add')).toHaveLength(1);
      },
    );
  });

  describe("qBittorrent's defaults that would misfile or stop episodes", () => {
    it('honours save_path with Automatic Torrent Management on by default', async () => {
      qbittorrent.preferences.auto_tmm_enabled = true;
      await start();
      await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1), save_path: '/anime/Show' });
      await http()
        .post('/download')
        .send({ link_id: 2, url: magnetOf(2) });
      expect(qbittorrent.torrents.get(hashOf(1))?.save_path).toBe('/anime/Show');
      expect(qbittorrent.callsTo('torrents/add')[0].form.get('autoTMM')).toBe('false');
      expect(qbittorrent.callsTo('torrents/add')[1].form.has('autoTMM')).toBe(false);
    });

    it('starts a torrent when qBittorrent adds them stopped by default, unless asked to pause it', async () => {
      qbittorrent.preferences[
        qbittorrent.spec.stopStart ? 'add_stopped_enabled' : 'start_paused_enabled'
      ] = true;
      await start();
      await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      await http()
        .post('/download')
        .send({ link_id: 2, url: magnetOf(2), paused: true });
      expect(qbittorrent.torrents.get(hashOf(1))?.state).toBe('metaDL');
      expect(qbittorrent.torrents.get(hashOf(2))?.state).toMatch(/^(paused|stopped)DL$/);
    });
  });

  describe('dead torrents', () => {
    it('names a torrent stalled without metadata longer than DEAD_TORRENT_AFTER_S', async () => {
      await start({ DEAD_TORRENT_AFTER_S: '3600' });
      await http()
        .post('/downloads')
        .send({ items: [{ url: magnetOf(1) }, { url: magnetOf(2) }] });
      const old = Math.floor(Date.now() / 1000) - 7200;
      Object.assign(qbittorrent.torrents.get(hashOf(1))!, { added_on: old, last_activity: old });

      const response = await http().get(`/downloads?hashes=${hashOf(1)},${hashOf(2)}`);

      expect(response.body.statuses[0]).toMatchObject({
        status: 'downloading',
        seeds: 0,
        availability: 0,
        stalled_since: new Date(old * 1000).toISOString(),
        dead: true,
      });
      expect(response.body.statuses[1]).toMatchObject({ status: 'downloading', dead: false });
    });

    it('warns, in the batch result, of a magnet without trackers while DHT is off', async () => {
      qbittorrent.preferences.dht = false;
      await start();
      const withTracker = `${magnetOf(2)}&tr=${encodeURIComponent('http://127.0.0.1:1/announce')}`;
      const response = await http()
        .post('/downloads')
        .send({ items: [{ url: magnetOf(1) }, { url: withTracker }] });
      expect(response.body.results[0]).toMatchObject({
        status: 'accepted',
        warning: expect.stringContaining('names no tracker and DHT is off'),
      });
      expect(response.body.results[1]).toMatchObject({ status: 'accepted', warning: null });
    });
  });

  describe('risky settings', () => {
    it('are named in readiness details (never failing it) and in one start-up line', async () => {
      Object.assign(qbittorrent.preferences, {
        auto_tmm_enabled: true,
        max_ratio_enabled: true,
        max_ratio: 1,
        max_ratio_act: 1,
        dht: false,
        queueing_enabled: false,
        web_ui_max_auth_fail_count: 3,
      });
      await start();
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(
        ready.body.info.qbittorrent.risky_settings.map((r: { setting: string }) => r.setting),
      ).toEqual([
        'Automatic Torrent Management on by default',
        'share ratio limit 1',
        'DHT off',
        'ban after 3 failed logins',
      ]);
      for (let i = 0; i < 50 && !sut.logs.text().includes('qBittorrent settings that'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(sut.logs.text()).toMatch(
        /qBittorrent settings that can lose downloads: .*share ratio limit 1 \(qBittorrent removes a finished torrent/,
      );
    });
  });
});

describe('refused logins back off', () => {
  it('doubles the wait after each refusal in a row, and readiness says so', async () => {
    const qbittorrent = await FakeQbittorrent.start({ password: 'right-password', banAfter: 100 });
    const sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_PASSWORD: 'wrong-password',
      QBITTORRENT_LOGIN_COOLDOWN_MS: '400',
    });
    const ready = () => request(sut.app.getHttpServer()).get('/health/ready');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await ready(); // the first refusal: next attempt in 320-480 ms
      const logins = () => qbittorrent.callsTo('auth/login').length;
      const first = logins();
      await sleep(500);
      await ready(); // the second: next attempt in 640-960 ms
      expect(logins()).toBe(first + 1);
      await sleep(500);
      const waiting = await ready();
      expect(logins()).toBe(first + 1); // still within the doubled wait
      expect(waiting.body.error.qbittorrent.message).toMatch(
        /refused 2 times in a row; next login attempt in \d+ s/,
      );
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });
});
