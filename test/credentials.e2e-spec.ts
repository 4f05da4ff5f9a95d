import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';

const TOKEN = 'a-token-of-sixteen-characters';

/** Starting without credentials, and setting them at run time as the core's CLI does. */
describe.each(DIALECTS)('credentials against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({
      dialect,
      password: 'the-right-one',
      banAfter: 100,
    });
    // As the core's compose file leaves them: set, but empty.
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_USER: '',
      QBITTORRENT_PASSWORD: '',
    });
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('starts without credentials: never tries a login, and readiness says why', async () => {
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.qbittorrent.message).toContain('no credentials for qBittorrent');
    const download = await http()
      .post('/download')
      .send({ link_id: 1, url: `magnet:?xt=urn:btih:${'a'.repeat(40)}` });
    expect(download.status).toBe(500);
    expect(download.body.error).toContain('no credentials');
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(0);
  });

  it('keeps credentials qBittorrent accepts, and works with them at once', async () => {
    const response = await http()
      .post('/config/credentials')
      .send({ username: 'admin', password: 'the-right-one' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      username: 'admin',
      qbittorrent_version: qbittorrent.spec.app,
    });
    expect((await http().get('/health/ready')).status).toBe(200);
    const download = await http()
      .post('/download')
      .send({ link_id: 1, url: `magnet:?xt=urn:btih:${'a'.repeat(40)}` });
    expect(download.status).toBe(201);
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(1);
  });

  it('refuses credentials qBittorrent refuses with 401, and keeps the ones in use', async () => {
    await http().post('/config/credentials').send({ username: 'admin', password: 'the-right-one' });
    const refused = await http()
      .post('/config/credentials')
      .send({ username: 'admin', password: 'wrong-password' });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatch(/refused the login of user "admin".*unchanged/);
    expect(JSON.stringify(refused.body)).not.toContain('wrong-password');
    expect(sut.logs.text()).not.toContain('wrong-password');
    expect(sut.logs.text()).not.toContain('the-right-one');
    // The session of the accepted credentials still works, without a new login.
    const logins = qbittorrent.callsTo('auth/login').length;
    expect((await http().get('/health/ready')).status).toBe(200);
    qbittorrent.expireSessions();
    expect((await http().get('/health/ready')).status).toBe(200);
    expect(qbittorrent.callsTo('auth/login').at(-1)?.form.get('password')).toBe('the-right-one');
    expect(qbittorrent.callsTo('auth/login').length).toBe(logins + 1);
  });

  it.each<[string, unknown, string]>([
    ['no username', { password: 'x' }, 'username is required'],
    ['an empty password', { username: 'admin', password: '' }, 'password must be 1 to 1024'],
    ['a newline in the username', { username: 'ad\nmin', password: 'x' }, 'control characters'],
  ])('400 for %s, with nothing sent', async (_what, body, error) => {
    const response = await http()
      .post('/config/credentials')
      .send(body as object);
    expect(response.status).toBe(400);
    expect(response.body.error).toContain(error);
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(0);
  });
});

describe('POST /config/credentials with API_TOKEN set', () => {
  it('wants the bearer token', async () => {
    const qbittorrent = await FakeQbittorrent.start();
    const sut = await startApp({ QBITTORRENT_URL: qbittorrent.url, API_TOKEN: TOKEN });
    try {
      const body = { username: 'admin', password: 'adminadmin' };
      const anonymous = await request(sut.app.getHttpServer())
        .post('/config/credentials')
        .send(body);
      expect(anonymous.status).toBe(401);
      const authorized = await request(sut.app.getHttpServer())
        .post('/config/credentials')
        .set('authorization', `Bearer ${TOKEN}`)
        .send(body);
      expect(authorized.status).toBe(200);
    } finally {
      await sut.close();
      await qbittorrent.stop();
    }
  });
});
