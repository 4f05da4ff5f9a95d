// Debian chroots that hold newer qbittorrent-nox builds than the machine's own (Debian 12: 4.5.2).
// Built once with debootstrap into a cache folder outside the repository, reused afterwards.
import { execFile as execFileCallback } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);
const STALE_LOCK_MS = 15 * 60 * 1000;

/**
 * The versions the project is proven on, where each comes from, and the libtorrent it is built on
 * when that is 1.x (it then knows no BitTorrent v2).
 * @type {Record<string, { suite?: string, libtorrent1?: true }>}
 */
export const QBITTORRENT_VERSIONS = {
  '4.2.5': { suite: 'bullseye', libtorrent1: true }, // the oldest proven: Debian 11's, WebAPI 2.5.1
  '4.5.2': {}, // the machine's own qbittorrent-nox (apt, Debian 12)
  '5.1.0': { suite: 'trixie' },
  '5.3.0': { suite: 'sid' },
};

/** Where chroots are kept: QBT_CHROOT_DIR, or ~/.cache/downloader-qbittorrent/chroots. */
export function chrootCacheDir() {
  return (
    process.env.QBT_CHROOT_DIR ??
    join(
      process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
      'downloader-qbittorrent',
      'chroots',
    )
  );
}

/**
 * The apt mirror this machine is configured with (never a hard-coded host).
 * @returns {Promise<string>}
 */
export async function aptMirror() {
  const candidates = [];
  const sourcesDir = '/etc/apt/sources.list.d';
  for (const name of existsSync(sourcesDir) ? await readdir(sourcesDir) : []) {
    if (!name.endsWith('.sources')) continue;
    const text = await readFile(join(sourcesDir, name), 'utf8');
    for (const match of text.matchAll(/^URIs:\s*(\S+)/gm)) candidates.push(match[1]);
  }
  if (existsSync('/etc/apt/sources.list')) {
    const text = await readFile('/etc/apt/sources.list', 'utf8');
    for (const match of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm))
      candidates.push(match[1]);
  }
  const mirror = candidates.find((uri) => !/security/.test(uri));
  if (!mirror)
    throw new Error(
      'no apt mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list',
    );
  return mirror;
}

/**
 * A chroot of `suite` with qbittorrent-nox installed; built on first use (about a minute, ~360 MB).
 * @param {string} suite
 * @param {(line: string) => void} [log]
 * @returns {Promise<string>} the chroot's root folder
 */
export async function ensureChroot(suite, log = (line) => process.stderr.write(`${line}\n`)) {
  const cache = chrootCacheDir();
  const root = join(cache, suite);
  const ready = join(root, '.downloader-qbittorrent-ready');
  if (existsSync(ready) && existsSync(join(root, 'usr/bin/qbittorrent-nox'))) return root;

  await mkdir(cache, { recursive: true });
  const lock = join(cache, `${suite}.lock`);
  while (true) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Another process is building it: wait for it, then use its result. A lock older than any
      // build is left over from a killed one.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      await sleep(1000);
      if (existsSync(ready)) return root;
    }
  }
  try {
    if (existsSync(ready) && existsSync(join(root, 'usr/bin/qbittorrent-nox'))) return root;
    if (process.getuid?.() !== 0)
      throw new Error(`building the ${suite} chroot needs root (debootstrap, chroot)`);
    const mirror = await aptMirror();
    const building = `${root}.building`;
    await rm(building, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
    log(
      `Building a Debian ${suite} chroot with qbittorrent-nox in ${root} from ${mirror} (about a minute)...`,
    );
    const started = Date.now();
    await execFile(
      'debootstrap',
      ['--variant=minbase', '--include=qbittorrent-nox,ca-certificates', suite, building, mirror],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((error) => {
      throw new Error(
        `debootstrap ${suite} failed: ${String(error.stderr || error.message).slice(-2000)}`,
      );
    });
    const { stdout } = await execFile('chroot', [building, 'qbittorrent-nox', '--version']);
    await rename(building, root);
    await writeFile(ready, stdout);
    log(
      `Built the ${suite} chroot (${stdout.trim()}) in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    return root;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
