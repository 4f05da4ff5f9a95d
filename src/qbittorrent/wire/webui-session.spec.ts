import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DIALECTS, FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import type { QbittorrentInstanceConfig } from '../../config/qbittorrent-instances.js';
import type { QbittorrentInstance } from '../instance/qbittorrent-instance.js';
import { QbittorrentAuthError } from './qbittorrent.errors.js';
import { newQbittorrentInstance } from '../testing/qbittorrent-instance.builder.js';
import { WebuiSession } from './webui-session.js';

describe(WebuiSession.name, () => {
  beforeAll(() => {
    Logger.overrideLogger(false); // login lines: the calls qBittorrent received are asserted instead
  });

  describe.each(DIALECTS)('against qBittorrent %s', (dialect) => {
    let qbittorrent: FakeQbittorrent;
    let instance: QbittorrentInstance;
    let sut: WebuiSession;

    const start = async (config: Partial<QbittorrentInstanceConfig> = {}) => {
      qbittorrent = await FakeQbittorrent.start({ dialect });
      instance = newQbittorrentInstance(qbittorrent.url, config);
      sut = instance.session;
    };

    afterEach(async () => {
      instance.close();
      await qbittorrent.stop();
    });

    it('logs in once for every caller waiting at the same moment, and sends the cookie under its name', async () => {
      await start();
      await Promise.all(Array.from({ length: 10 }, () => sut.request('torrents/info')));
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(1);
      expect(qbittorrent.callsTo('torrents/info')).toHaveLength(10);
      for (const call of qbittorrent.callsTo('torrents/info')) {
        expect(call.cookie).toMatch(new RegExp(`^${qbittorrent.cookieName}=`));
      }
    });

    it('reads the version and the dialect at login', async () => {
      await start();
      const session = await sut.current();
      expect(session.version).toEqual({
        app: qbittorrent.spec.app,
        webApi: qbittorrent.spec.webApi,
      });
      expect(session.dialect.stopStart).toBe(qbittorrent.spec.stopStart);
      expect(session.username).toBe('admin');
    });

    it('logs in again once after a 403, shared by every waiting call, and replays them', async () => {
      await start();
      await sut.request('torrents/info');
      qbittorrent.expireSessions();
      const answers = await Promise.all([sut.request('torrents/info'), sut.request('app/version')]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(2);
    });

    it('answers from a refusal, without asking again, within the cooldown', async () => {
      await start({ credentials: { username: 'admin', password: 'a wrong one' } });
      await expect(sut.request('torrents/info')).rejects.toThrow(
        /refused the login of user "admin"/,
      );
      const remembered = sut.request('torrents/info');
      await expect(remembered).rejects.toBeInstanceOf(QbittorrentAuthError);
      await expect(remembered).rejects.toThrow(/next login attempt in \d+ s/);
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(1);
    });

    it('tries again after the cooldown, doubling it after each refusal in a row', async () => {
      await start({ credentials: { username: 'admin', password: 'wrong' }, loginCooldownMs: 20 });
      await expect(sut.request('app/version')).rejects.toThrow(/refused/);
      await new Promise((resolve) => setTimeout(resolve, 40)); // past 20 ms +20 %
      await expect(sut.request('app/version')).rejects.toThrow(/refused/);
      const again = sut.request('app/version');
      await expect(again).rejects.toThrow(/refused 2 times in a row; next login attempt in 1 s/);
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(2);
    });

    it('keeps new credentials only when qBittorrent takes them', async () => {
      await start({ credentials: { username: 'admin', password: 'wrong' } });
      await expect(
        sut.useCredentials({ username: 'admin', password: 'still wrong' }),
      ).rejects.toBeInstanceOf(QbittorrentAuthError);
      const session = await sut.useCredentials({ username: 'admin', password: 'adminadmin' });
      expect(session.username).toBe('admin');
      // In use from now on, the earlier refusal's cooldown forgotten.
      expect((await sut.request('app/version')).status).toBe(200);
    });

    it('without credentials, never logs in and says what to set', async () => {
      await start({ credentials: null });
      await expect(sut.request('app/version')).rejects.toMatchObject({
        reason: 'no-credentials',
        message: expect.stringMatching(/set QBITTORRENT_USER and QBITTORRENT_PASSWORD/),
      });
      expect(qbittorrent.callsTo('auth/login')).toHaveLength(0);
    });
  });
});
