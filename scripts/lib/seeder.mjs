// A second real qBittorrent that seeds a file through its embedded tracker on 127.0.0.1: the peer
// of every real download on this machine (integration tests, `npm run demo`), which reaches nothing
// beyond loopback.
import { execFile as execFileCallback } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, listensOn } from './ports.mjs';
import { startQbittorrent } from './qbittorrent.mjs';

const execFile = promisify(execFileCallback);
const SEEDING_TIMEOUT_MS = 30_000;
/** How long a seeder that just answered may take to listen on its tracker and peer ports. */
const LISTEN_TIMEOUT_MS = 10_000;

/**
 * @typedef {object} Seed
 * @property {import('./qbittorrent.mjs').RunningQbittorrent} qbittorrent
 * @property {string} hash the seeded torrent's v1 info-hash, as the seeder reports it
 * @property {string} fileName
 * @property {string} sha256
 * @property {number} size
 * @property {string} magnet a magnet naming only the seeder's tracker on 127.0.0.1
 * @property {Buffer} torrentFile the .torrent file mktorrent made, announcing that tracker
 */

/**
 * Starts the seeder of a file of random bytes. The `.torrent` is made by mktorrent; the seeder
 * needs no login (LocalHostAuth off).
 * @param {string} version
 * @param {number} [size]
 * @returns {Promise<Seed>}
 */
export async function startSeeder(version, size = 2 * 1024 * 1024) {
  const { qbittorrent, trackerPort } = await startListening(version);
  try {
    const seedDir = join(qbittorrent.profileDir, 'seed');
    await mkdir(seedDir, { recursive: true });
    const fileName = `episode-${randomBytes(4).toString('hex')}.mkv`;
    const content = randomBytes(size);
    await writeFile(join(seedDir, fileName), content);
    const announce = `http://127.0.0.1:${trackerPort}/announce`;
    const torrentPath = join(qbittorrent.profileDir, `${fileName}.torrent`);
    await execFile('mktorrent', [
      '-a',
      announce,
      '-l',
      '16',
      '-o',
      torrentPath,
      join(seedDir, fileName),
    ]);

    const torrentFile = await readFile(torrentPath);
    const form = new FormData();
    form.append('torrents', new Blob([torrentFile]), `${fileName}.torrent`);
    form.append('savepath', qbittorrent.instancePath(seedDir));
    const added = await fetch(`${qbittorrent.url}/api/v2/torrents/add`, {
      method: 'POST',
      body: form,
    });
    if (added.status !== 200)
      throw new Error(`the seeder refused the torrent: HTTP ${added.status}`);

    const hash = await waitForSeeding(qbittorrent.url, fileName);
    return {
      qbittorrent,
      hash,
      fileName,
      sha256: createHash('sha256').update(content).digest('hex'),
      size,
      magnet: `magnet:?xt=urn:btih:${hash}&dn=${encodeURIComponent(fileName)}&tr=${encodeURIComponent(announce)}`,
      torrentFile,
    };
  } catch (error) {
    await qbittorrent.stop();
    throw error;
  }
}

/**
 * The seeder's qBittorrent, once it listens on its tracker and peer ports itself. A port chosen
 * free can be taken before qBittorrent binds it (another copy of the suites on this machine picks
 * its ports too); qBittorrent then runs without the tracker or the peer port, and no download
 * ever finds it. Such a start is stopped and made again on other ports.
 * @param {string} version
 */
async function startListening(version) {
  for (let attempt = 1; ; attempt++) {
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
    const ports = [trackerPort, qbittorrent.torrentPort];
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    let listening = false;
    while (!listening && Date.now() < deadline) {
      const each = await Promise.all(ports.map((port) => listensOn(qbittorrent.pid, port)));
      listening = each.every(Boolean);
      if (!listening) await sleep(100);
    }
    if (listening) return { qbittorrent, trackerPort };
    await qbittorrent.stop();
    if (attempt === 3) {
      throw new Error(`the seeder did not listen on its ports (${ports.join(', ')}), 3 times`);
    }
  }
}

/** @param {string} url @param {string} name @returns {Promise<string>} the torrent's hash */
async function waitForSeeding(url, name) {
  const deadline = Date.now() + SEEDING_TIMEOUT_MS;
  let last = 'absent';
  while (Date.now() < deadline) {
    const torrents =
      /** @type {{ hash: string, name: string, state: string, progress: number }[]} */ (
        await (await fetch(`${url}/api/v2/torrents/info`)).json()
      );
    const torrent = torrents.find((candidate) => candidate.name === name);
    last = torrent?.state ?? 'absent';
    if (torrent && torrent.progress === 1 && /^(uploading|stalledUP|forcedUP)$/.test(torrent.state))
      return torrent.hash;
    await sleep(200);
  }
  throw new Error(`the seeder did not start seeding ${name} (last state: ${last})`);
}
