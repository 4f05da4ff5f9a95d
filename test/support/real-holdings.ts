import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import type { RunningQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { TestApp } from './app.js';
import { directCookie } from './real-qbittorrent.js';

/** Every hash a real qBittorrent holds, asked directly; once the count stops changing after a start. */
export async function heldBy(
  qbittorrent: RunningQbittorrent,
  settle = false,
): Promise<Set<string>> {
  const cookie = await directCookie(qbittorrent);
  const list = async () => {
    const response = await fetch(`${qbittorrent.url}/api/v2/torrents/info`, {
      headers: { cookie },
    });
    return new Set(((await response.json()) as { hash: string }[]).map(({ hash }) => hash));
  };
  let held = await list();
  // A qBittorrent that just started loads its torrents for a while.
  for (let stable = 0; settle && stable < 4;) {
    await sleep(500);
    const again = await list();
    stable = again.size === held.size ? stable + 1 : 0;
    held = again;
  }
  return held;
}

/** Waits until the service (at `url`, or the app) is ready and knows the room of every instance. */
export async function ready(url: string | TestApp): Promise<void> {
  const http = typeof url === 'string' ? request(url) : request(url.app.getHttpServer());
  for (let i = 0; i < 300; i++) {
    const { status, body } = await http.get('/health/ready');
    const details = (body as { details?: { qbittorrent?: Record<string, unknown> } }).details
      ?.qbittorrent;
    const instances = details?.instances as { free_space_on_disk: number | null }[] | undefined;
    if (status === 200 && (instances?.every((one) => one.free_space_on_disk !== null) ?? true)) {
      return;
    }
    await sleep(100);
  }
  throw new Error('the service never got ready');
}

/** The hashes two or more of `qbittorrents` hold. */
export async function onTwo(qbittorrents: RunningQbittorrent[]): Promise<string[]> {
  const held = await Promise.all(qbittorrents.map((qbittorrent) => heldBy(qbittorrent)));
  const seen = new Map<string, number>();
  for (const hashes of held) for (const hash of hashes) seen.set(hash, (seen.get(hash) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([hash]) => hash);
}
