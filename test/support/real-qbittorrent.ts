import type { TorrentInfo } from '../../src/qbittorrent/wire/qbittorrent.types.js';
import { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import { QBITTORRENT_VERSIONS } from '../../scripts/lib/chroots.mjs';
import type { RunningQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { TestApp } from './app.js';
import { startApp } from './app.js';

/** One torrent through the client, or null when qBittorrent does not hold it. */
export async function torrentOf(
  client: QbittorrentClient,
  hash: string,
): Promise<TorrentInfo | null> {
  const [torrent] = await client.getTorrents({ hashes: [hash] });
  return torrent ?? null;
}

/** A session cookie of a real qBittorrent, logged in to directly rather than through the service. */
export async function directCookie(qbittorrent: RunningQbittorrent): Promise<string> {
  const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: qbittorrent.username, password: qbittorrent.password }),
  });
  return login.headers
    .getSetCookie()
    .map((value) => value.split(';', 1)[0])
    .join('; ');
}

/** The versions to run the real-qBittorrent suites against: QBT_VERSIONS=4.5.2,5.1.0 (default 4.5.2). */
export function versionsUnderTest(): string[] {
  return (process.env.QBT_VERSIONS ?? '4.5.2')
    .split(',')
    .map((version) => version.trim())
    .filter(Boolean);
}

/** Whether this version's libtorrent (2, not 1.x) takes BitTorrent v2 torrents. */
export function knowsV2(version: string): boolean {
  return QBITTORRENT_VERSIONS[version]?.libtorrent1 !== true;
}

/** The service, configured for a running real qBittorrent. */
export function startAppFor(
  qbittorrent: RunningQbittorrent,
  env: Record<string, string> = {},
): Promise<TestApp> {
  return startApp({
    QBITTORRENT_URL: qbittorrent.url,
    QBITTORRENT_USER: qbittorrent.username,
    QBITTORRENT_PASSWORD: qbittorrent.password,
    ...env,
  });
}

/**
 * Polls the torrent through the client until `done` holds: a real qBittorrent applies state
 * changes on its next refresh, about a second later.
 */
export async function waitForTorrent(
  client: QbittorrentClient,
  hash: string,
  done: (torrent: TorrentInfo | null) => boolean,
  timeoutMs = 15_000,
): Promise<TorrentInfo | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const torrent = await torrentOf(client, hash);
    if (done(torrent)) return torrent;
    if (Date.now() > deadline) {
      throw new Error(
        `torrent ${hash} did not reach the expected state in ${timeoutMs} ms (last: ${torrent?.state ?? 'absent'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Changes a real qBittorrent's settings through its WebUI, as its user would (`app/setPreferences`). */
export async function setPreferences(
  qbittorrent: RunningQbittorrent,
  preferences: Record<string, unknown>,
): Promise<void> {
  const login = await fetch(`${qbittorrent.url}/api/v2/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: qbittorrent.username, password: qbittorrent.password }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';', 1)[0];
  const response = await fetch(`${qbittorrent.url}/api/v2/app/setPreferences`, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ json: JSON.stringify(preferences) }),
  });
  if (response.status !== 200) {
    throw new Error(`app/setPreferences answered HTTP ${response.status}`);
  }
}
