// What `npm run bench` and its A/B mode share: bounded loads with sub-millisecond latencies, the
// processes they start and measure (resident memory, CPU time), qBittorrent's WebUI called directly,
// and the service's own count of its calls to qBittorrent.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import bencode from 'bencode';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Adds per run, by number of clients. */
export const ADDS = { 1: 1500, 32: 6000 };

/**
 * @typedef {{ rps: number, p50: number, p99: number, requests: number, non2xx: number, errors: number, seconds: number, latencies: number[] }} LoadFigures
 * @typedef {LoadFigures & { qbittorrentCpuUs: number, serverCpuUs: number }} AddFigures
 * @typedef {AddFigures & { callsPerAdd: number }} CountedFigures
 */

/**
 * Runs one bounded load and measures latencies at sub-millisecond resolution (autocannon's own
 * histogram rounds to whole milliseconds, too coarse next to qBittorrent's answers).
 * @param {import('autocannon').Options} options
 * @returns {Promise<LoadFigures>}
 */
export function load(options) {
  return new Promise((resolve, reject) => {
    /** @type {number[]} */
    const latencies = [];
    const started = performance.now();
    let lastResponse = started;
    const instance = autocannon({ timeout: 10, ...options }, (error, result) => {
      if (error) return reject(error);
      latencies.sort((a, b) => a - b);
      const at = (/** @type {number} */ q) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
      // autocannon ends a run with an `amount` on its next whole-second tick: time the run up to
      // its last answer instead.
      const seconds = (lastResponse - started) / 1000;
      resolve({
        rps: latencies.length / seconds,
        p50: at(0.5),
        p99: at(0.99),
        requests: latencies.length,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        seconds,
        latencies,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastResponse = performance.now();
    });
  });
}

export const hex = () => randomBytes(20).toString('hex');

/**
 * POST /download of a new magnet each time, through a service (or a minimal app) at `url`.
 * @param {string} url
 * @param {number} connections 1 or 32
 */
export function addVia(url, connections) {
  return load({
    url: `${url}/download`,
    connections,
    amount: ADDS[/** @type {1 | 32} */ (connections)],
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ link_id: 1, url: `magnet:?xt=urn:btih:${hex()}` }),
        }),
      },
    ],
  });
}

/** @param {string} url */
export async function waitForOk(url, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${url} did not answer 200 in ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Resident memory of a process, current (VmRSS) and peak (VmHWM), in MB. @param {number} pid */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (/** @type {string} */ field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * The environment the bench runs the service with: as `npm start` runs it, on 127.0.0.1, against
 * the qBittorrents at `urls`, registration off.
 * @param {number} port @param {string[]} urls
 * @param {{ username: string, password: string }} credentials
 * @returns {Record<string, string>}
 */
export function serviceEnv(port, urls, credentials) {
  return {
    PORT: String(port),
    BIND_ADDRESS: '127.0.0.1',
    QBITTORRENT_URL: urls.join(','),
    QBITTORRENT_USER: credentials.username,
    QBITTORRENT_PASSWORD: credentials.password,
    CORE_SERVICE_URL: '',
    NODE_ENV: 'production',
  };
}

/**
 * A process of the bench, its output discarded but for errors.
 * @param {string} command @param {string[]} args @param {Record<string, string>} [env]
 * @param {string} [cwd] the project's folder by default (a base build's, in the A/B mode)
 */
export function start(command, args, env = {}, cwd = root) {
  return spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** @param {import('node:child_process').ChildProcess} child */
export async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A single-file v1 .torrent of random pieces: metadata at once, no data anywhere. */
export function makeTorrent() {
  const name = `archive-${randomBytes(6).toString('hex')}.mkv`;
  const info = { length: 4 * 16384, name, 'piece length': 16384, pieces: randomBytes(4 * 20) };
  const hash = createHash('sha1').update(bencode.encode(info)).digest('hex');
  return { hash, name, bytes: Buffer.from(bencode.encode({ info })) };
}

/** The unit of the CPU times in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
export const CLOCK_TICKS = 100;

/** CPU time a process has used so far (user and system), in ms. @param {number} pid */
export function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * qBittorrent's WebUI API, called directly with a session cookie.
 * @param {string} url @param {string} cookie @param {number} pid
 */
export function directApi(url, cookie, pid) {
  let calls = 0;
  const api = {
    get calls() {
      return calls;
    },
    /** @param {string} path @param {RequestInit} [init] */
    async call(path, init = {}) {
      calls++;
      const response = await fetch(`${url}/api/v2/${path}`, {
        ...init,
        headers: { cookie, ...init.headers },
      });
      return response;
    },
    /** @param {Record<string, string>} form */
    post(/** @type {string} */ path, form) {
      return api.call(path, { method: 'POST', body: new URLSearchParams(form) });
    },
    /**
     * `torrents/info` of every torrent as a plain client reads it: one GET without compression
     * (as the service asks), the body parsed. fetch() asks for gzip, which costs qBittorrent
     * hundreds of milliseconds for thousands of torrents: a reference slower than the service.
     */
    async listAll() {
      return /** @type {Promise<unknown[]>} */ (
        new Promise((resolve, reject) => {
          const outgoing = httpGet(
            `${url}/api/v2/torrents/info`,
            { headers: { cookie, 'accept-encoding': 'identity' } },
            (answer) => {
              const chunks = /** @type {Buffer[]} */ ([]);
              answer.on('data', (chunk) => chunks.push(chunk));
              answer.once('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
              answer.once('error', reject);
            },
          );
          outgoing.once('error', reject);
        })
      );
    },
    async info(/** @type {string[] | undefined} */ hashes = undefined) {
      const query = hashes === undefined ? '' : `?hashes=${hashes.join('|')}`;
      return /** @type {{ hash: string, state: string }[]} */ (
        await (await api.call(`torrents/info${query}`)).json()
      );
    },
    /**
     * Removes every torrent and waits until qBittorrent has finished doing so (removing thousands
     * takes it seconds of CPU): a run that starts earlier competes with it and measures noise.
     */
    async clear() {
      await api.post('torrents/delete', { hashes: 'all', deleteFiles: 'false' });
      for (let i = 0; i < 300 && (await api.info()).length > 0; i++) await sleep(50);
      for (let i = 0; i < 60; i++) {
        const before = cpuMsOf(pid);
        await sleep(250);
        if (cpuMsOf(pid) - before < 25) return; // under 10% of a core
      }
    },
  };
  return api;
}

/** The service's own count of its calls to qBittorrent, by WebUI path, from /metrics. */
export async function serviceCalls(/** @type {string} */ serviceUrl) {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  /** @type {Record<string, number>} */
  const byPath = {};
  for (const line of text.split('\n')) {
    const match =
      /^downloader_qbittorrent_request_duration_seconds_count\{(?:[^}]*,)?operation="([^"]+)"[^}]*\} (\d+)/.exec(
        line,
      );
    if (match) byPath[match[1]] = (byPath[match[1]] ?? 0) + Number(match[2]);
  }
  return byPath;
}

/**
 * Calls made between two counts, logins, version reads and the background reads of several
 * qBittorrents (sync/maindata) aside.
 * @param {Record<string, number>} before @param {Record<string, number>} after
 */
export function callsBetween(before, after) {
  let total = 0;
  for (const [path, count] of Object.entries(after)) {
    if (path !== 'auth/login' && path !== 'sync/maindata' && !path.startsWith('app/')) {
      total += count - (before[path] ?? 0);
    }
  }
  return total;
}

/**
 * One request through a service, timed, with the qBittorrent calls it made.
 * @param {string} url the service @param {() => Promise<Response>} request
 */
export async function counted(url, request) {
  const before = await serviceCalls(url);
  let status = 0;
  const ms = await timed(async () => {
    const response = await request();
    status = response.status;
    await response.arrayBuffer();
  });
  return { ms, status, calls: callsBetween(before, await serviceCalls(url)) };
}

/**
 * Two runs of the same load as one: their latencies together, throughput and per-add figures over
 * both.
 * @param {CountedFigures} a @param {CountedFigures} b @returns {CountedFigures}
 */
export function merged(a, b) {
  const latencies = [...a.latencies, ...b.latencies].sort((x, y) => x - y);
  const at = (/** @type {number} */ q) => latencies[Math.floor(q * latencies.length)];
  const requests = a.requests + b.requests;
  const weighted = (/** @type {'qbittorrentCpuUs' | 'serverCpuUs' | 'callsPerAdd'} */ key) =>
    (a[key] * a.requests + b[key] * b.requests) / requests;
  return {
    rps: requests / (a.seconds + b.seconds),
    p50: at(0.5),
    p99: at(0.99),
    requests,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    seconds: a.seconds + b.seconds,
    latencies,
    qbittorrentCpuUs: weighted('qbittorrentCpuUs'),
    serverCpuUs: weighted('serverCpuUs'),
    callsPerAdd: weighted('callsPerAdd'),
  };
}

/**
 * Fills a qBittorrent with `torrents` torrents, `withMetadata` of them uploaded .torrent files (the
 * rest magnets without peers), and waits until it lists them all; answers the hashes of those with
 * metadata, the ones a poll asks for.
 * @param {ReturnType<typeof directApi>} api @param {number} torrents @param {number} withMetadata
 */
export async function loadArchive(api, torrents, withMetadata) {
  const files = Array.from({ length: withMetadata }, makeTorrent);
  for (let i = 0; i < files.length; i += 100) {
    const form = new FormData();
    for (const torrent of files.slice(i, i + 100)) {
      form.append('torrents', new Blob([torrent.bytes]), `${torrent.name}.torrent`);
    }
    await api.call('torrents/add', { method: 'POST', body: form });
  }
  const magnets = Array.from({ length: torrents - withMetadata }, hex);
  for (let i = 0; i < magnets.length; i += 500) {
    await api.post('torrents/add', {
      urls: magnets
        .slice(i, i + 500)
        .map((hash) => `magnet:?xt=urn:btih:${hash}`)
        .join('\n'),
    });
  }
  for (let i = 0; i < 300; i++) {
    if ((await api.info()).length >= torrents) break;
    await sleep(200);
  }
  return files.map((torrent) => torrent.hash);
}

/** A direct session with a qBittorrent started by this bench. @param {import('../scripts/lib/qbittorrent.mjs').RunningQbittorrent} q */
export async function directApiOf(q) {
  const login = await fetch(`${q.url}/api/v2/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: q.username, password: q.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  return directApi(q.url, cookie, q.pid);
}

/**
 * Waits until a process has settled: under 3% of a core for two seconds in a row (a qBittorrent
 * that just took or removed thousands of torrents writes resume data for a while), 60 s at most.
 * @param {number} pid
 */
export async function settled(pid) {
  let calm = 0;
  for (let i = 0; i < 60 && calm < 2; i++) calm = (await cpuShare(pid, 1000)) < 3 ? calm + 1 : 0;
}

/** A process's CPU over `ms`, in percent of one core. @param {number} pid @param {number} ms */
export async function cpuShare(pid, ms) {
  const before = cpuMsOf(pid);
  const started = performance.now();
  await sleep(ms);
  return ((cpuMsOf(pid) - before) / (performance.now() - started)) * 100;
}

/** The service's count of sync/maindata reads, by instance, from /metrics. @param {string} url */
export async function serviceSyncs(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  /** @type {Record<string, number>} */
  const byInstance = {};
  for (const line of text.split('\n')) {
    const match =
      /^downloader_qbittorrent_request_duration_seconds_count\{(?:instance|qbittorrent)="([^"]+)",operation="sync\/maindata",status="200"\} (\d+)/.exec(
        line,
      );
    if (match) byInstance[match[1]] = Number(match[2]);
  }
  return byInstance;
}

/** Runs `work` and answers its duration in ms. @param {() => Promise<unknown>} work */
export async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
