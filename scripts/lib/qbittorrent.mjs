// Starts and stops real qbittorrent-nox instances on loopback with the safe configuration of
// docs/qbittorrent.md (Running a real qBittorrent safely). Used by the integration tests, `npm run local` and the benchmark.
import { execFile as execFileCallback, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  mergeIni,
  toIni,
  webuiPasswordHash,
} from '../../src/qbittorrent-config/qbittorrent-ini.mjs';
import { ensureChroot, QBITTORRENT_VERSIONS } from './chroots.mjs';
import { logOutput } from './output-log.mjs';
import { answers, freePort, isFree, listensOn } from './ports.mjs';

/**
 * @typedef {import('../../src/qbittorrent-config/qbittorrent-ini.mjs').IniSections} IniSections
 *
 * @typedef {object} StartOptions
 * @property {string} [version] a key of QBITTORRENT_VERSIONS ('4.5.2' is the machine's own binary)
 * @property {string} [username]
 * @property {string} [password] at least 6 characters; random by default
 * @property {string} [profileDir] reused if given (outside a chroot only); a new temporary one otherwise
 * @property {number} [webuiPort] a free port by default
 * @property {number} [torrentPort] a free port by default
 * @property {IniSections} [extraConfig] more settings, merged over the safe defaults
 * @property {{ certificate: string, key: string }} [https] serve the WebUI over HTTPS with this
 *   certificate and key (PEM text)
 * @property {number} [downloadFolderBytes] give its download folder (its default save path) a tmpfs
 *   of this size, so that the free space it reports is real and small (needs root; unmounted on stop)
 *
 * @typedef {object} RunningQbittorrent
 * @property {string} url the WebUI base URL, http(s)://127.0.0.1:<port>
 * @property {number} pid
 * @property {string} version the version asked for
 * @property {string} username
 * @property {string} password
 * @property {number} webuiPort
 * @property {number} torrentPort
 * @property {string} profileDir the profile folder as seen from this machine
 * @property {string} downloadDir where it saves downloads, as seen from this machine
 * @property {(path: string) => string} hostPath a path inside the instance, as seen from this machine
 * @property {(path: string) => string} instancePath a path on this machine, as the instance sees it
 * @property {Promise<void>} exited settles when the running process exits, however it ends
 * @property {() => Promise<void>} stop stops the process by its pid and waits for it to exit; removes
 *   the profile folder unless it was given
 * @property {() => Promise<void>} restart stops it and starts it again on the same profile and ports
 */

const execFile = promisify(execFileCallback);
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The configuration every test instance starts from: no DHT, LSD, PeX, UPnP; bound to `lo`;
 * a known password; queueing off so that a real transfer is never left waiting.
 * @param {{ username: string, password: string, webuiPort: number, torrentPort: number, downloadDir: string }} settings
 * @returns {IniSections}
 */
export function safeConfig({ username, password, webuiPort, torrentPort, downloadDir }) {
  return {
    BitTorrent: {
      'Session\\DHTEnabled': false,
      'Session\\LSDEnabled': false,
      'Session\\PeXEnabled': false,
      'Session\\Interface': 'lo',
      'Session\\InterfaceName': 'lo',
      'Session\\InterfaceAddress': '127.0.0.1',
      'Session\\Port': torrentPort,
      'Session\\MultiConnectionsPerIp': true,
      'Session\\QueueingSystemEnabled': false,
      'Session\\DefaultSavePath': downloadDir,
      'Session\\AddTrackersEnabled': false,
      // At exit, wait at most 1 s (default 5) for trackers to acknowledge "stopped".
      'Session\\StopTrackerTimeout': 1,
    },
    LegalNotice: { Accepted: true },
    Network: { PortForwardingEnabled: false },
    Preferences: {
      // The same settings under the keys qBittorrent read before 4.3 (4.2.5 ignores the ones above).
      'Bittorrent\\DHT': false,
      'Bittorrent\\LSD': false,
      'Bittorrent\\PeX': false,
      'Connection\\Interface': 'lo',
      'Connection\\InterfaceName': 'lo',
      'Connection\\InterfaceAddress': '127.0.0.1',
      'Connection\\PortRangeMin': torrentPort,
      'Connection\\UPnP': false,
      'Queueing\\QueueingEnabled': false,
      'WebUI\\Address': '127.0.0.1',
      'WebUI\\Port': webuiPort,
      'WebUI\\Username': username,
      'WebUI\\Password_PBKDF2': webuiPasswordHash(password),
      'WebUI\\LocalHostAuth': true,
      'Connection\\ResolvePeerCountries': false,
      'Downloads\\SavePath': downloadDir,
      'General\\Locale': 'en',
    },
  };
}

/** Creates `dir` and its parents if missing. @param {string} dir */
async function mkdirp(dir) {
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Starts a real qBittorrent and waits until its WebUI answers.
 * @param {StartOptions} [options]
 * @returns {Promise<RunningQbittorrent>}
 */
export async function startQbittorrent(options = {}) {
  const version = options.version ?? '4.5.2';
  const spec = QBITTORRENT_VERSIONS[version];
  if (!spec)
    throw new Error(
      `unknown qBittorrent version ${version}; known: ${Object.keys(QBITTORRENT_VERSIONS).join(', ')}`,
    );
  const root = spec.suite ? await ensureChroot(spec.suite) : '/';
  const hostPath = (/** @type {string} */ path) => (root === '/' ? path : join(root, path));
  const instancePath = (/** @type {string} */ path) =>
    root === '/' ? path : `/${path.slice(root.length).replace(/^\/+/, '')}`;

  const webuiPort = options.webuiPort ?? (await freePort());
  // qBittorrent does not exit when its WebUI port is taken: it would run without a WebUI while
  // whatever holds the port answered in its place.
  if (!(await isFree(webuiPort))) {
    throw new Error(`port ${webuiPort} (qBittorrent's WebUI) is taken by another program`);
  }

  const temporaryProfile = !options.profileDir || root !== '/';
  const profileDir = temporaryProfile
    ? // Directly in the temporary folder: a shared parent folder would be left behind, empty.
      await mkdtemp(join(await mkdirp(hostPath(tmpdir())), `downloader-qbittorrent-${version}-`))
    : /** @type {string} */ (options.profileDir);
  const downloadDir = join(profileDir, 'downloads');
  const configDir = join(profileDir, 'qBittorrent', 'config');
  await mkdir(configDir, { recursive: true });
  await mkdir(downloadDir, { recursive: true });
  const unmount = options.downloadFolderBytes
    ? await mountTmpfs(downloadDir, options.downloadFolderBytes)
    : async () => undefined;

  /** @type {Record<string, Record<string, string | boolean>>} */
  const httpsConfig = {};
  if (options.https) {
    const certificate = join(profileDir, 'webui.crt');
    const key = join(profileDir, 'webui.key');
    await writeFile(certificate, options.https.certificate);
    await writeFile(key, options.https.key, { mode: 0o600 });
    httpsConfig.Preferences = {
      'WebUI\\HTTPS\\Enabled': true,
      'WebUI\\HTTPS\\CertificatePath': instancePath(certificate),
      'WebUI\\HTTPS\\KeyPath': instancePath(key),
    };
  }

  const username = options.username ?? 'admin';
  const password = options.password ?? randomBytes(12).toString('base64url');
  const torrentPort = options.torrentPort ?? (await freePort());
  const config = mergeIni(
    safeConfig({
      username,
      password,
      webuiPort,
      torrentPort,
      downloadDir: instancePath(downloadDir),
    }),
    mergeIni(httpsConfig, options.extraConfig ?? {}),
  );
  await writeFile(join(configDir, 'qBittorrent.conf'), toIni(config));

  const logFile = join(profileDir, 'stdout.log');
  // Qt keeps its single-instance lock file in the temporary folder, and leaves it there: in the
  // profile, it goes with the profile (in a chroot it would pile up in the cached chroot's /tmp).
  const tmpDir = await mkdirp(join(profileDir, 'tmp'));
  const env = { ...process.env, TMPDIR: instancePath(tmpDir) };
  const url = `${options.https ? 'https' : 'http'}://127.0.0.1:${webuiPort}`;
  const profile = `--profile=${instancePath(profileDir)}`;
  const [command, ...args] =
    root === '/'
      ? ['qbittorrent-nox', profile]
      : // In a mount namespace of its own, with the chroot's root a mount point and /proc mounted in
        // it, as on a real machine: Qt 5 (4.2.5) finds the file system of the save path through
        // /proc/self/mountinfo, and without them answers free space -1, or that of another file
        // system. `exec` keeps the pid qBittorrent's; the namespace and its mounts end with it.
        [
          'unshare',
          '--mount',
          '--propagation=private',
          'sh',
          '-c',
          'mount --rbind "$0" "$0" && mount -t proc proc "$0/proc" && exec chroot "$0" qbittorrent-nox "$@"',
          root,
          profile,
        ];
  let running = await launch(command, args, env, logFile, url, webuiPort, version, {
    username,
    password,
  }).catch(async (error) => {
    await unmount();
    if (temporaryProfile) await rm(profileDir, { recursive: true, force: true });
    throw error;
  });

  return {
    url,
    get pid() {
      return running.pid;
    },
    version,
    username,
    password,
    webuiPort,
    torrentPort,
    profileDir,
    downloadDir,
    hostPath,
    instancePath,
    get exited() {
      return running.exited;
    },
    stop: async () => {
      await running.stop();
      await unmount();
      if (temporaryProfile) await rm(profileDir, { recursive: true, force: true });
    },
    restart: async () => {
      await running.stop();
      running = await launch(command, args, env, logFile, url, webuiPort, version, {
        username,
        password,
      });
    },
  };
}

/**
 * Mounts a tmpfs of `bytes` on `dir` (as root); answers how to unmount it.
 * @param {string} dir
 * @param {number} bytes
 * @returns {Promise<() => Promise<void>>}
 */
async function mountTmpfs(dir, bytes) {
  if (process.getuid?.() !== 0) {
    throw new Error('a download folder of a given size is a tmpfs: mounting it needs root');
  }
  await execFile('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  return async () => {
    // Lazily: a qBittorrent killed a moment ago may still be letting go of it.
    await execFile('umount', ['-l', dir]).catch(() => undefined);
  };
}

/**
 * Starts the process and waits until it, and not another program, answers on its WebUI port.
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {string} logFile
 * @param {string} url
 * @param {number} webuiPort
 * @param {string} version
 * @param {{ username: string, password: string }} credentials
 * @returns {Promise<{ pid: number, exited: Promise<void>, stop: () => Promise<void> }>}
 */
async function launch(command, args, env, logFile, url, webuiPort, version, credentials) {
  // The log is appended to across restarts: an error shows only what this start wrote.
  const logStart = await stat(logFile).then(
    (stats) => stats.size,
    () => 0,
  );
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = logOutput(child, logFile);
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let exitStatus;
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve();
    }),
  );
  child.once('error', () => undefined);

  const stop = async () => {
    if (exitStatus === undefined) {
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        sleep(STOP_TIMEOUT_MS, false, { ref: false }),
      ]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await log.close(STOP_TIMEOUT_MS);
  };

  const pid = /** @type {number} */ (child.pid);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitStatus !== undefined) {
      await stop(); // the log holds its last words once it is closed
      throw new Error(
        `qbittorrent-nox ${version} exited at start (${JSON.stringify(exitStatus)}):\n${await logTail(logFile, logStart)}`,
      );
    }
    if (await answers(`${url}/api/v2/app/version`)) {
      if (await listensOn(pid, webuiPort)) {
        await ensureOffline(url, credentials).catch(async (error) => {
          await stop();
          throw error;
        });
        return { pid, exited, stop };
      }
      await stop();
      throw new Error(
        `another program answers on port ${webuiPort}, not the qbittorrent-nox ${version} started (pid ${pid})`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `qbittorrent-nox ${version} did not open its WebUI on ${url} within ${START_TIMEOUT_MS} ms:\n${await logTail(logFile, logStart)}`,
      );
    }
    await sleep(100);
  }
}

/**
 * What keeps a test instance off every network but loopback, in `app/preferences` names.
 * @type {Record<string, boolean | string>}
 */
const OFFLINE = {
  dht: false,
  pex: false,
  lsd: false,
  upnp: false,
  current_network_interface: 'lo',
};

/**
 * Makes sure the instance runs off every network but loopback, whatever config keys its version
 * reads (4.2.5 reads others than later versions): sets through `app/setPreferences` what the config
 * file did not, and refuses to go on if it does not hold.
 * @param {string} url
 * @param {{ username: string, password: string }} credentials
 */
async function ensureOffline(url, credentials) {
  const login = await webui(url, 'auth/login', { form: credentials });
  const cookie = login.cookie;
  if (!cookie) throw new Error(`could not log in to the qBittorrent at ${url} (${login.status})`);
  const wrong = async () => {
    const preferences = JSON.parse((await webui(url, 'app/preferences', { cookie })).body);
    return Object.entries(OFFLINE).filter(([key, value]) => preferences[key] !== value);
  };
  let differing = await wrong();
  if (differing.length === 0) return;
  await webui(url, 'app/setPreferences', {
    cookie,
    form: {
      json: JSON.stringify(Object.fromEntries(differing.map(([key]) => [key, OFFLINE[key]]))),
    },
  });
  differing = await wrong();
  if (differing.length > 0) {
    throw new Error(
      `the qBittorrent at ${url} keeps ${differing.map(([key]) => key).join(', ')} on: stopped it`,
    );
  }
}

/**
 * One WebUI call of the harness's own, over HTTP or HTTPS. The certificate of a test instance's
 * HTTPS WebUI is the test's own, on loopback: the harness does not check it (the service does).
 * @param {string} url
 * @param {string} path
 * @param {{ form?: Record<string, string>, cookie?: string }} [options]
 * @returns {Promise<{ status: number, body: string, cookie: string | undefined }>}
 */
function webui(url, path, { form, cookie } = {}) {
  const target = new URL(`/api/v2/${path}`, url);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent: false, // a connection of its own, closed after the answer
        rejectUnauthorized: false,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      },
      (response) => {
        /** @type {Buffer[]} */
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const set = response.headers['set-cookie'] ?? [];
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            cookie: set.length > 0 ? set.map((one) => one.split(';', 1)[0]).join('; ') : cookie,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The last 2000 characters the log got since `from`. @param {string} logFile @param {number} from */
async function logTail(logFile, from) {
  const file = await open(logFile).catch(() => undefined);
  if (!file) return '';
  try {
    const { size } = await file.stat();
    const start = Math.max(from, size - 2000);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}
