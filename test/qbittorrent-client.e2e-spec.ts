import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TorrentRepository } from '../src/downloads/torrents/torrent.repository.js';
import { parseMagnet } from '../src/qbittorrent/identity/magnet.js';
import type { QbittorrentClient } from '../src/qbittorrent/wire/qbittorrent.client.js';
import { QbittorrentAuthError } from '../src/qbittorrent/wire/qbittorrent.errors.js';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { torrentOf } from './support/real-qbittorrent.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const MAGNET = `magnet:?xt=urn:btih:${HEX}&dn=Episode%2001`;

describe.each(DIALECTS)('QbittorrentClient against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  let client: QbittorrentClient;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect, password: 'right password' });
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_PASSWORD: 'right password',
    });
    client = sut.client;
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('logs in, reads the version and sends back the cookie qBittorrent set, under its name', async () => {
    await expect(client.login()).resolves.toEqual({
      app: qbittorrent.spec.app,
      webApi: qbittorrent.spec.webApi,
    });
    await client.getTorrents({});

    const [info] = qbittorrent.callsTo('torrents/info');
    expect(info.cookie).toMatch(new RegExp(`^${qbittorrent.cookieName}=[\\w+/]+$`));
  });

  it('adds, reads, pauses, resumes and deletes a torrent with the names this version knows', async () => {
    await expect(
      client.addMagnet(parseMagnet(MAGNET), {
        category: 'bangumi',
        tags: ['a', 'b'],
        savePath: '/dl/x',
      }),
    ).resolves.toEqual({
      hash: HEX,
      added: true,
      // Before WebAPI 2.6.2, to put on once qBittorrent lists it (TorrentRepository does).
      ...(!qbittorrent.spec.tagsOnAdd && { tagsLater: ['a', 'b'] }),
    });
    if (!qbittorrent.spec.tagsOnAdd) await client.addTags(HEX, ['a', 'b']);
    const added = await torrentOf(client, HEX);
    expect(added).toMatchObject({
      hash: HEX,
      name: 'Episode 01',
      category: 'bangumi',
      tags: 'a, b',
      save_path: '/dl/x',
    });

    await client.pause(HEX);
    const stopped = qbittorrent.spec.stopStart ? 'stoppedDL' : 'pausedDL';
    expect((await torrentOf(client, HEX))?.state).toBe(stopped);
    await client.resume(HEX);
    expect((await torrentOf(client, HEX))?.state).toBe('metaDL');

    const [pause, resume] = qbittorrent.spec.stopStart
      ? ['torrents/stop', 'torrents/start']
      : ['torrents/pause', 'torrents/resume'];
    expect(qbittorrent.callsTo(pause)).toHaveLength(1);
    expect(qbittorrent.callsTo(resume)).toHaveLength(1);
    expect(
      qbittorrent.calls
        .filter((call) => call.endpoint !== 'auth/login')
        .every((call) => call.cookie),
    ).toBe(true);

    await client.deleteMany([HEX], true);
    expect(qbittorrent.callsTo('torrents/delete')[0].form.get('deleteFiles')).toBe('true');
    await expect(torrentOf(client, HEX)).resolves.toBeNull();
  });

  it('reports a torrent it already holds as not added (Fails. or 409), and the repository as refused', async () => {
    await client.addMagnet(parseMagnet(MAGNET));
    // 4.2.5 answers Ok. to it: accepted all the same, though not known as held already.
    const { old } = qbittorrent.spec;
    await expect(client.addMagnet(parseMagnet(MAGNET))).resolves.toMatchObject({
      hash: HEX,
      added: old,
    });
    await expect(
      sut.app.get(TorrentRepository).send({ kind: 'magnet', link: parseMagnet(MAGNET) }, {}),
    ).resolves.toMatchObject({
      hash: HEX,
      answer: old ? 'added' : 'refused',
      label: `127.0.0.1:${qbittorrent.port}`,
    });
  });

  it.each<[string, (client: QbittorrentClient) => Promise<unknown>, string]>([
    [
      'addMagnet',
      (c) => c.addMagnet(parseMagnet(`magnet:?xt=urn:btih:${'1'.repeat(40)}`)),
      'torrents/add',
    ],
    ['getTorrents', (c) => c.getTorrents({ hashes: [HEX] }), 'torrents/info'],
    ['getTorrents, all', (c) => c.getTorrents({}), 'torrents/info'],
    ['getFiles', (c) => c.getFiles(HEX), 'torrents/files'],
    ['pause', (c) => c.pause(HEX), 'STOP'],
    ['resume', (c) => c.resume(HEX), 'START'],
    ['deleteMany', (c) => c.deleteMany([HEX], false), 'torrents/delete'],
    ['getVersion', (c) => c.getVersion(), 'app/version'],
  ])(
    '%s logs in again once after a 403 and replays the call',
    async (_name, operation, endpoint) => {
      await client.addMagnet(parseMagnet(MAGNET));
      const target =
        endpoint === 'STOP'
          ? qbittorrent.spec.stopStart
            ? 'torrents/stop'
            : 'torrents/pause'
          : endpoint === 'START'
            ? qbittorrent.spec.stopStart
              ? 'torrents/start'
              : 'torrents/resume'
            : endpoint;
      const logins = qbittorrent.callsTo('auth/login').length;
      const calls = qbittorrent.callsTo(target).length;
      qbittorrent.expireSessions(); // what a qBittorrent restart does

      await operation(client);

      expect(qbittorrent.callsTo('auth/login').length).toBe(logins + 1);
      // Refused once, then replayed; a login reads app/version too.
      const loginReads = target === 'app/version' ? 1 : 0;
      expect(qbittorrent.callsTo(target).length).toBe(calls + 2 + loginReads);
      expect(sut.logs.text()).toContain(
        `qBittorrent answered 403 to ${target}: the session has expired, logging in again`,
      );
    },
  );

  it('does not loop when qBittorrent refuses even a fresh session', async () => {
    await client.login();
    qbittorrent.expireSessions();
    qbittorrent.inject('torrents/info', { kind: 'status', status: 403, body: 'Forbidden' }, 2);

    await expect(client.getTorrents({})).rejects.toThrow(
      'still answered 403 to torrents/info after logging in again',
    );
    expect(qbittorrent.callsTo('torrents/info')).toHaveLength(2);
  });
});

describe.each(DIALECTS)('bad credentials against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect, password: 'the real one' });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, QBITTORRENT_PASSWORD: 'a wrong one' });
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('are reported clearly, never retried, and not tried again while the refusal stands', async () => {
    const server = sut.app.getHttpServer();
    const post = (n: number) =>
      request(server)
        .post('/download')
        .send({ link_id: n, url: `magnet:?xt=urn:btih:${n.toString(16).padStart(40, '0')}` });

    const first = await post(1);
    expect(first.status).toBe(500);
    expect(first.body.error).toMatch(
      /failed after 1 attempt \(not retried\): qBittorrent refused the login of user "admin": check QBITTORRENT_USER and QBITTORRENT_PASSWORD/,
    );

    const more = await Promise.all([2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(post));
    expect(more.every((response) => response.status === 500)).toBe(true);
    expect(more[0].body.error).toMatch(/next login attempt in \d+ s/);
    // The start-up login and the first request may share one attempt; never more than these two.
    expect(qbittorrent.callsTo('auth/login').length).toBeLessThanOrEqual(2);
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(0);
  });

  it('make readiness answer 503 naming the cause', async () => {
    const response = await request(sut.app.getHttpServer()).get('/health/ready');
    expect(response.status).toBe(503);
    expect(response.body.error.qbittorrent.message).toContain('refused the login of user "admin"');
  });
});

describe('login refusal cooldown', () => {
  it('tries again once QBITTORRENT_LOGIN_COOLDOWN_MS has passed, and heals when the password is right', async () => {
    const qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0', password: 'p' });
    const sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_PASSWORD: 'p',
      QBITTORRENT_LOGIN_COOLDOWN_MS: '200',
    });
    try {
      const client = sut.client;
      await client.login();
      // Someone changes the password in qBittorrent, then changes it back.
      qbittorrent.expireSessions();
      qbittorrent.inject('auth/login', { kind: 'status', status: 401, body: '' });
      const refused = await client.getTorrents({}).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(QbittorrentAuthError);
      const logins = qbittorrent.callsTo('auth/login').length;

      await expect(client.getTorrents({})).rejects.toThrow(/next login attempt in/);
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(logins);

      await new Promise((resolve) => setTimeout(resolve, 250));
      await expect(client.getTorrents({})).resolves.toEqual([]);
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(logins + 1);
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });
});
