import { execFile as execFileCallback } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/ports.mjs';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';

const execFile = promisify(execFileCallback);

export interface Seed {
  qbittorrent: RunningQbittorrent;
  /** The seeded torrent's v1 info-hash, as the seeder reports it. */
  hash: string;
  fileName: string;
  sha256: string;
  size: number;
  /** A magnet naming only the seeder's tracker on 127.0.0.1. */
  magnet: string;
  /** The .torrent file mktorrent made, announcing that tracker. */
  torrentFile: Buffer;
}

/**
 * A second real qBittorrent that seeds a file of random bytes through its embedded tracker on
 * 127.0.0.1. The `.torrent` is made by mktorrent; the seeder needs no login (LocalHostAuth off).
 */
export async function startSeeder(version: string, size = 2 * 1024 * 1024): Promise<Seed> {
  const trackerPort = await freePort();
  const qbittorrent = await startQbittorrent({
    version,
    extraConfig: {
      Preferences: {
        'WebUI\\LocalHostAuth': false,
        'Advanced\\trackerEnabled': true,
        'Advanced\\trackerPort': trackerPort,
      },
    },
  });
  try {
    const seedDir = join(qbittorrent.profileDir, 'seed');
    await mkdir(seedDir, { recursive: true });
    const fileName = `episode-${randomBytes(4).toString('hex')}.mkv`;
    const content = randomBytes(size);
    await writeFile(join(seedDir, fileName), content);
    const announce = `http://127.0.0.1:${trackerPort}/announce`;
    const torrentFile = join(qbittorrent.profileDir, `${fileName}.torrent`);
    await execFile('mktorrent', [
      '-a',
      announce,
      '-l',
      '16',
      '-o',
      torrentFile,
      join(seedDir, fileName),
    ]);

    const torrentBytes = await readFile(torrentFile);
    const form = new FormData();
    form.append('torrents', new Blob([torrentBytes]), `${fileName}.torrent`);
    form.append('savepath', qbittorrent.instancePath(seedDir));
    const added = await fetch(`${qbittorrent.url}/api/v2/torrents/add`, {
      method: 'POST',
      body: form,
    });
    if (added.status !== 200)
      throw new Error(`the seeder refused the torrent: HTTP ${added.status}`);

    const torrent = await waitForSeeding(qbittorrent.url, fileName);
    return {
      qbittorrent,
      hash: torrent.hash,
      fileName,
      sha256: createHash('sha256').update(content).digest('hex'),
      size,
      magnet: `magnet:?xt=urn:btih:${torrent.hash}&dn=${encodeURIComponent(fileName)}&tr=${encodeURIComponent(announce)}`,
      torrentFile: torrentBytes,
    };
  } catch (error) {
    await qbittorrent.stop();
    throw error;
  }
}

async function waitForSeeding(url: string, name: string): Promise<{ hash: string; state: string }> {
  const deadline = Date.now() + 30_000;
  let last = 'absent';
  while (Date.now() < deadline) {
    const torrents = (await (await fetch(`${url}/api/v2/torrents/info`)).json()) as {
      hash: string;
      name: string;
      state: string;
      progress: number;
    }[];
    const torrent = torrents.find((candidate) => candidate.name === name);
    last = torrent?.state ?? 'absent';
    if (torrent && torrent.progress === 1 && /^(uploading|stalledUP|forcedUP)$/.test(torrent.state))
      return torrent;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the seeder did not start seeding ${name} (last state: ${last})`);
}
