import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { DIALECTS, FakeQbittorrent } from '../../test/fakes/fake-qbittorrent.js';
import type { AppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { parseMagnet } from './magnet.js';
import { QbittorrentClient } from './qbittorrent.client.js';
import { WebuiSession } from './webui-session.js';
import { WebuiTransport } from './webui-transport.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

/** The client over its session and transport, built by hand: no Nest application. */
function clientFor(qbittorrent: FakeQbittorrent, password = 'adminadmin') {
  const config = {
    get: () => ({
      url: qbittorrent.url,
      credentials: { username: 'admin', password },
      timeoutMs: 2000,
      loginCooldownMs: 60_000,
    }),
  } as unknown as ConfigService<AppConfig, true>;
  const metrics = new MetricsService();
  const transport = new WebuiTransport(config, metrics);
  const session = new WebuiSession(transport, config, metrics);
  return { client: new QbittorrentClient(session, transport), transport };
}

describe.each(DIALECTS)('the WebUI client in layers, against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let transport: WebuiTransport | undefined;

  beforeAll(() => {
    Logger.overrideLogger(false); // login lines: the calls qBittorrent received are asserted instead
  });

  afterEach(async () => {
    transport?.onApplicationShutdown();
    await qbittorrent.stop();
  });

  it('logs in once for every caller waiting at the same moment, and sends the cookie under its name', async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    const built = clientFor(qbittorrent);
    transport = built.transport;
    await Promise.all(Array.from({ length: 10 }, () => built.client.getTorrents({})));
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(1);
    expect(qbittorrent.callsTo('torrents/info')[0].cookie).toMatch(
      new RegExp(`^${qbittorrent.cookieName}=`),
    );
  });

  it('logs in again once after a 403, shared, and replays the calls', async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    const built = clientFor(qbittorrent);
    transport = built.transport;
    await built.client.getTorrents({});
    qbittorrent.expireSessions();
    await Promise.all([built.client.getTorrents({}), built.client.getTorrents({})]);
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(2);
  });

  it('answers from a refusal instead of logging in again within the cooldown', async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    const built = clientFor(qbittorrent, 'wrong password');
    transport = built.transport;
    await expect(built.client.getTorrents({})).rejects.toThrow(/refused/);
    await expect(built.client.getTorrents({})).rejects.toThrow(/next login attempt in/);
    expect(qbittorrent.callsTo('auth/login')).toHaveLength(1);
  });

  it('adds, and pauses with the name this version knows', async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    const built = clientFor(qbittorrent);
    transport = built.transport;
    await expect(
      built.client.addMagnet(parseMagnet(`magnet:?xt=urn:btih:${HEX}`)),
    ).resolves.toEqual({ hash: HEX, added: true });
    await built.client.pause(HEX);
    const pause = qbittorrent.spec.stopStart ? 'torrents/stop' : 'torrents/pause';
    expect(qbittorrent.callsTo(pause)).toHaveLength(1);
    expect(qbittorrent.calls.filter((call) => call.endpoint.endsWith('/pause')).length).toBe(
      pause === 'torrents/pause' ? 1 : 0,
    );
  });
});
