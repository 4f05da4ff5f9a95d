import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { DownloadAdder } from '../src/downloads/add/download-adder.js';
import { DownloadStatusService } from '../src/downloads/status/download-status.service.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { CapturingLogger, startApp, type TestApp } from './support/app.js';
import { report } from './support/faults.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const MAGNET = `magnet:?xt=urn:btih:${HEX}`;
const TOKEN = 'a-token-of-at-least-16-characters';

describe('API_TOKEN', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, API_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('leaves the health checks open', async () => {
    expect((await http().get('/health')).status).toBe(200);
    expect((await http().get('/health/ready')).status).toBe(200);
  });

  it.each([
    [
      'no Authorization header',
      undefined,
      'missing bearer token (Authorization: Bearer <API_TOKEN>)',
    ],
    ['another token', `Bearer ${TOKEN}x`, 'invalid bearer token'],
    ['a much shorter token', 'Bearer x', 'invalid bearer token'],
    [
      'the token without the Bearer scheme',
      TOKEN,
      'missing bearer token (Authorization: Bearer <API_TOKEN>)',
    ],
    [
      'Basic credentials',
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      'missing bearer token (Authorization: Bearer <API_TOKEN>)',
    ],
  ])(
    'answers 401 in each endpoint shape for %s, and calls nothing',
    async (_name, authorization, error) => {
      const adds = qbittorrent.callsTo('torrents/add').length;
      const withAuth = (test: request.Test) =>
        authorization ? test.set('authorization', authorization) : test;

      const single = await withAuth(http().post('/download')).send({ link_id: 1, url: MAGNET });
      const status = await withAuth(http().get(`/downloads?hashes=${HEX}`));
      const batch = await withAuth(http().post('/downloads')).send({ items: [{ url: MAGNET }] });
      const pause = await withAuth(http().post(`/downloads/${HEX}/pause`));

      expect(single.status).toBe(401);
      expect(single.body).toEqual({ status: 'error', hash: null, error });
      expect(single.headers['www-authenticate']).toBe('Bearer');
      for (const response of [status, batch, pause]) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ error });
      }
      expect(qbittorrent.callsTo('torrents/add').length).toBe(adds);
    },
  );

  it('lets the right token through on every endpoint', async () => {
    const auth = `Bearer ${TOKEN}`;
    expect(
      (await http().post('/download').set('authorization', auth).send({ link_id: 1, url: MAGNET }))
        .status,
    ).toBe(201);
    expect((await http().get(`/downloads?hashes=${HEX}`).set('authorization', auth)).status).toBe(
      200,
    );
    expect((await http().post(`/downloads/${HEX}/pause`).set('authorization', auth)).status).toBe(
      200,
    );
    expect(
      (
        await http()
          .post('/downloads/cancel')
          .set('authorization', auth)
          .send({ hashes: [HEX] })
      ).status,
    ).toBe(200);
  });
});

describe('secrets', () => {
  const PASSWORD = 'qBittorrent-Pa55word!';
  const WRONG = 'Wrong-Pa55word?';
  const answers: string[] = [];
  const collect = (response: request.Response) => {
    answers.push(
      JSON.stringify({
        headers: response.headers,
        body: response.body as unknown,
        text: response.text,
      }),
    );
    return response;
  };

  it('never appear in logs or answers, across a full run with failed and successful logins', async () => {
    const qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0', password: PASSWORD });
    const logs = new CapturingLogger();
    try {
      // A run with the wrong password: refused logins, 500s, readiness 503.
      const wrong = await startApp(
        {
          QBITTORRENT_URL: qbittorrent.url,
          QBITTORRENT_PASSWORD: WRONG,
          LOG_LEVEL: 'verbose',
        },
        logs,
      );
      collect(
        await request(wrong.app.getHttpServer())
          .post('/download')
          .send({ link_id: 1, url: MAGNET }),
      );
      collect(await request(wrong.app.getHttpServer()).get('/health/ready'));
      collect(await request(wrong.app.getHttpServer()).get(`/downloads?hashes=${HEX}`));
      await wrong.close();

      // A run with the right one: logins, a forgotten session, adds, status, failures.
      const right = await startApp(
        {
          QBITTORRENT_URL: qbittorrent.url,
          QBITTORRENT_PASSWORD: PASSWORD,
          LOG_LEVEL: 'verbose',
        },
        logs,
      );
      const server = right.app.getHttpServer();
      collect(await request(server).post('/download').send({ link_id: 1, url: MAGNET }));
      qbittorrent.expireSessions();
      collect(await request(server).get(`/downloads?hashes=${HEX}`));
      collect(await request(server).get('/health/ready'));
      qbittorrent.inject('torrents/add', { kind: 'status', status: 500 }, 3);
      collect(
        await request(server)
          .post('/download')
          .send({ link_id: 2, url: `magnet:?xt=urn:btih:${'b'.repeat(40)}` }),
      );
      await right.client.login();
      await right.close();
    } finally {
      await qbittorrent.stop();
    }

    const everything = `${logs.text()}\n${answers.join('\n')}`;
    expect(logs.lines.length).toBeGreaterThan(10);
    expect(qbittorrent.issuedSessions.length).toBeGreaterThanOrEqual(2);
    expect(everything).toContain('refused the login'); // the failures were logged...
    expect(everything).not.toContain(PASSWORD); // ...without any secret
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain(encodeURIComponent(PASSWORD));
    for (const sid of qbittorrent.issuedSessions) expect(everything).not.toContain(sid);
    expect(everything.toLowerCase()).not.toContain('set-cookie');
    report(
      'a run with a wrong then a right password, a forgotten session and failures, LOG_LEVEL=verbose',
      `${logs.lines.length} log lines and ${answers.length} answers hold no password and none of ${qbittorrent.issuedSessions.length} session ids`,
    );
  });
});

describe('error answers', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('hide the details of an unexpected error (logged, not answered)', async () => {
    const bug = new TypeError(
      "Cannot read properties of undefined (reading 'x') at /srv/app/dist/secret.js:12",
    );
    jest.spyOn(DownloadAdder.prototype, 'add').mockRejectedValue(bug);
    jest.spyOn(DownloadStatusService.prototype, 'statuses').mockRejectedValue(bug);

    const single = await request(sut.app.getHttpServer())
      .post('/download')
      .send({ link_id: 1, url: MAGNET });
    const status = await request(sut.app.getHttpServer()).get(`/downloads?hashes=${HEX}`);

    expect(single.status).toBe(500);
    expect(single.body).toEqual({ status: 'error', hash: null, error: 'internal error' });
    expect(status.status).toBe(500);
    expect(status.body).toEqual({ error: 'internal error' });
    expect(single.text + status.text).not.toMatch(/secret\.js|TypeError|\n\s+at /);
    expect(sut.logs.text()).toContain('secret.js'); // the cause is in the log
  });

  it('carry no x-powered-by header, on routes and off them', async () => {
    for (const response of [
      await request(sut.app.getHttpServer()).get('/health'),
      await request(sut.app.getHttpServer()).get('/nowhere'),
      await request(sut.app.getHttpServer()).post('/download').send({}),
    ]) {
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});
