import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startQbittorrent, type RunningQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { parseIni } from '../../src/qbittorrent-config/qbittorrent-ini.mjs';
import { writeFirstStartConfig } from '../../src/qbittorrent-config/qbittorrent-config.js';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

/** A save path no test instance uses otherwise (qBittorrent creates it when it first saves). */
const SAVE_PATH = '/tmp/downloader-qbittorrent-first-start/downloads';

describe.each(versionsUnderTest())('the first-start config on real qBittorrent %s', (version) => {
  const credentials = { username: 'bangumi', password: 'first-start-password' };
  let folder: string;
  let qbittorrent: RunningQbittorrent;
  let cookie: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'qbt-first-start-'));
    const file = join(folder, 'qBittorrent.conf');
    expect(await writeFirstStartConfig(file, credentials, undefined, { savePath: SAVE_PATH })).toBe(
      'written',
    );
    // The written settings over the test instance's safe ones (loopback only, no DHT, free ports).
    qbittorrent = await startQbittorrent({
      version,
      ...credentials,
      extraConfig: parseIni(await readFile(file, 'utf8')),
    });
  });

  afterAll(async () => {
    await qbittorrent?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('accepts the written user and password', async () => {
    const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams(credentials),
    });
    expect([200, 204]).toContain(login.status);
    if (login.status === 200) expect(await login.text()).toBe('Ok.');
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';', 1)[0];
    expect(cookie).toMatch(/^(SID|QBT_SID_\d+)=/);
  });

  it('refuses another password', async () => {
    const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ ...credentials, password: 'not-the-password' }),
    });
    expect(login.status === 401 || (await login.text()) === 'Fails.').toBe(true);
  });

  it('ignores slow torrents for queueing after 1200 s of inactivity', async () => {
    const preferences = (await (
      await fetch(`${qbittorrent.url}/api/v2/app/preferences`, { headers: { cookie } })
    ).json()) as Record<string, unknown>;
    expect(preferences.web_ui_username).toBe('bangumi');
    expect(preferences.dont_count_slow_torrents).toBe(true);
    expect(preferences.slow_torrent_inactive_timer).toBe(1200);
  });

  it('saves where QBITTORRENT_SAVE_PATH says (one folder per qBittorrent of several)', async () => {
    const preferences = (await (
      await fetch(`${qbittorrent.url}/api/v2/app/preferences`, { headers: { cookie } })
    ).json()) as Record<string, unknown>;
    expect(String(preferences.save_path).replace(/\/$/, '')).toBe(SAVE_PATH);
  });
});
