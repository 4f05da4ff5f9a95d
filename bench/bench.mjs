#!/usr/bin/env node
// `npm run bench`: what the service costs over calling qBittorrent directly, side by side in one run,
// everything on 127.0.0.1, every load bounded in requests. Prints a table and writes
// bench/results.json. The targets are read here, not asserted by tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../scripts/lib/ports.mjs';
import { startQbittorrent } from '../scripts/lib/qbittorrent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADDS = { 1: 1500, 32: 6000 };
const STATUS_REQUESTS = { 1: 300, 100: 200, 1000: 60 };
const HEALTH_REQUESTS = 30_000;
const TARGETS = {
  addedP50Ms: 1.5,
  rpsRatioAt32: 0.6,
  healthRatio: 0.5,
  idleRssMb: 90,
  startupMs: 1500,
};

/** @typedef {{ rps: number, p50: number, p99: number, requests: number, non2xx: number, errors: number, seconds: number }} LoadFigures */

/**
 * Runs one bounded load and measures latencies at sub-millisecond resolution (autocannon's own
 * histogram rounds to whole milliseconds, too coarse next to qBittorrent's answers).
 * @param {import('autocannon').Options} options
 * @returns {Promise<LoadFigures>}
 */
function load(options) {
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
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastResponse = performance.now();
    });
  });
}

const hex = () => randomBytes(20).toString('hex');

/** @param {string} url */
async function waitForOk(url, timeoutMs = 20_000) {
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
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (/** @type {string} */ field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** @param {string} command @param {string[]} args @param {Record<string, string>} [env] */
function start(command, args, env = {}) {
  return spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** @param {import('node:child_process').ChildProcess} child */
async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function main() {
  const qbittorrent = await startQbittorrent({ version: '4.5.2' });
  const children = [];
  try {
    const qbt = `${qbittorrent.url}/api/v2`;
    const login = await fetch(`${qbt}/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: qbittorrent.username, password: qbittorrent.password }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const qbtVersion = await (await fetch(`${qbt}/app/version`, { headers: { cookie } })).text();
    const clearTorrents = () =>
      fetch(`${qbt}/torrents/delete`, {
        method: 'POST',
        headers: { cookie },
        body: new URLSearchParams({ hashes: 'all', deleteFiles: 'false' }),
      });

    // The service, as `npm start` runs it (default LOG_LEVEL=info, output discarded).
    const servicePort = await freePort();
    const startedAt = performance.now();
    // BENCH_PROFILE=1 writes a CPU profile of the service to bench/profiles (see README).
    const profile =
      process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : [];
    const service = start(process.execPath, [...profile, 'dist/main.js'], {
      PORT: String(servicePort),
      BIND_ADDRESS: '127.0.0.1',
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_USER: qbittorrent.username,
      QBITTORRENT_PASSWORD: qbittorrent.password,
      CORE_SERVICE_URL: '',
      NODE_ENV: 'production',
    });
    children.push(service);
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    await waitForOk(`${serviceUrl}/health`);
    const startupMs = performance.now() - startedAt;
    await sleep(2000);
    const idle = memoryOf(/** @type {number} */ (service.pid));
    await waitForOk(`${serviceUrl}/health/ready`);

    const forwarderPort = await freePort();
    const forwarder = start(process.execPath, [
      'bench/forwarder.mjs',
      String(forwarderPort),
      qbittorrent.url,
      cookie,
    ]);
    children.push(forwarder);
    await sleep(300);

    // 1. Add overhead.
    const addViaService = (/** @type {string} */ url, /** @type {number} */ connections) =>
      load({
        url,
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
    const addDirect = (/** @type {number} */ connections) =>
      load({
        url: `${qbt}/torrents/add`,
        connections,
        amount: ADDS[/** @type {1 | 32} */ (connections)],
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: new URLSearchParams({ urls: `magnet:?xt=urn:btih:${hex()}` }).toString(),
            }),
          },
        ],
      });
    /** @type {Record<string, { direct: LoadFigures, service: LoadFigures, forwarder: LoadFigures }>} */
    const add = {};
    for (const connections of [1, 32]) {
      await clearTorrents();
      await addDirect(connections); // warm-up of qBittorrent, not counted
      await clearTorrents();
      const direct = await addDirect(connections);
      await clearTorrents();
      const forwarded = await addViaService(
        `http://127.0.0.1:${forwarderPort}/download`,
        connections,
      );
      await clearTorrents();
      const served = await addViaService(`${serviceUrl}/download`, connections);
      add[`c${connections}`] = { direct, service: served, forwarder: forwarded };
    }
    const peak = memoryOf(/** @type {number} */ (service.pid));
    await clearTorrents();

    // 2. Status at scale: held hashes, and how many qBittorrent calls each query costs.
    const held = Array.from({ length: 1000 }, hex);
    await fetch(`${qbt}/torrents/add`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({
        urls: held.map((hash) => `magnet:?xt=urn:btih:${hash}`).join('\n'),
      }),
    });
    for (let i = 0; i < 100; i++) {
      const listed = /** @type {unknown[]} */ (
        await (await fetch(`${qbt}/torrents/info`, { headers: { cookie } })).json()
      );
      if (listed.length >= 1000) break;
      await sleep(100);
    }
    const infoCalls = async () => {
      const text = await (await fetch(`${serviceUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(
            'downloader_qbittorrent_request_duration_seconds_count{operation="torrents/info",status="200"}',
          ),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    /** @type {Record<string, LoadFigures & { qbittorrentCallsPerQuery: number }>} */
    const status = {};
    for (const count of [1, 100, 1000]) {
      const before = await infoCalls();
      const figures = await load({
        url: `${serviceUrl}/downloads?hashes=${held.slice(0, count).join(',')}`,
        connections: 1,
        amount: STATUS_REQUESTS[/** @type {1 | 100 | 1000} */ (count)],
      });
      status[`${count}`] = {
        ...figures,
        qbittorrentCallsPerQuery: ((await infoCalls()) - before) / figures.requests,
      };
    }

    // 3. Health against a bare node:http server in its own process.
    const barePort = await freePort();
    const bare = start(process.execPath, [
      '-e',
      `require('http').createServer((q, s) => s.end('OK')).listen(${barePort}, '127.0.0.1')`,
    ]);
    children.push(bare);
    await waitForOk(`http://127.0.0.1:${barePort}/`);
    const healthBare = await load({
      url: `http://127.0.0.1:${barePort}/`,
      connections: 32,
      amount: HEALTH_REQUESTS,
    });
    const healthService = await load({
      url: `${serviceUrl}/health`,
      connections: 32,
      amount: HEALTH_REQUESTS,
    });

    const results = {
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        qbittorrent: qbtVersion,
      },
      add: Object.fromEntries(
        Object.entries(add).map(([key, { direct, service: served, forwarder: forwarded }]) => [
          key,
          {
            direct,
            service: served,
            forwarder: forwarded,
            addedP50Ms: served.p50 - direct.p50,
            rpsRatio: served.rps / direct.rps,
            forwarderAddedP50Ms: forwarded.p50 - direct.p50,
            forwarderRpsRatio: forwarded.rps / direct.rps,
          },
        ]),
      ),
      status,
      health: {
        bare: healthBare,
        service: healthService,
        rpsRatio: healthService.rps / healthBare.rps,
      },
      footprint: { startupMs, idleRssMb: idle.rssMb, peakRssMb: peak.peakMb },
    };
    writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    print(results);
  } finally {
    for (const child of children) await stop(child);
    await qbittorrent.stop();
  }
}

/** @param {any} r */
function print(r) {
  const ms = (/** @type {number} */ v) => `${v.toFixed(2)} ms`;
  const rps = (/** @type {number} */ v) => `${Math.round(v)}/s`;
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'met' : 'MISSED');
  const lines = [];
  lines.push(
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GiB, Node ${r.machine.node}, qBittorrent ${r.machine.qbittorrent}`,
  );
  lines.push('');
  lines.push(
    '| add (POST /download vs torrents/add) | direct | forwarder | service | service - direct | target |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const [key, a] of Object.entries(r.add)) {
    const c = key.slice(1);
    lines.push(
      `| c=${c} p50 | ${ms(a.direct.p50)} | ${ms(a.forwarder.p50)} | ${ms(a.service.p50)} | +${ms(a.addedP50Ms)} | ${c === '1' ? `<= +${TARGETS.addedP50Ms} ms: ${verdict(a.addedP50Ms <= TARGETS.addedP50Ms)}` : ''} |`,
    );
    lines.push(
      `| c=${c} p99 | ${ms(a.direct.p99)} | ${ms(a.forwarder.p99)} | ${ms(a.service.p99)} | +${ms(a.service.p99 - a.direct.p99)} | |`,
    );
    lines.push(
      `| c=${c} requests/s | ${rps(a.direct.rps)} | ${rps(a.forwarder.rps)} (${a.forwarderRpsRatio.toFixed(2)}x) | ${rps(a.service.rps)} (${a.rpsRatio.toFixed(2)}x) | | ${c === '32' ? `>= ${TARGETS.rpsRatioAt32}x: ${verdict(a.rpsRatio >= TARGETS.rpsRatioAt32)}` : ''} |`,
    );
    lines.push(
      `| c=${c} non-2xx / errors | ${a.direct.non2xx} / ${a.direct.errors} | ${a.forwarder.non2xx} / ${a.forwarder.errors} | ${a.service.non2xx} / ${a.service.errors} | | 0: ${verdict(a.service.non2xx + a.service.errors === 0)} |`,
    );
  }
  lines.push('');
  lines.push(
    '| GET /downloads?hashes= | p50 | p99 | requests/s | qBittorrent calls per query | target |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const [count, s] of Object.entries(r.status)) {
    lines.push(
      `| ${count} held hashes | ${ms(s.p50)} | ${ms(s.p99)} | ${rps(s.rps)} | ${s.qbittorrentCallsPerQuery.toFixed(2)} | 1: ${verdict(s.qbittorrentCallsPerQuery === 1 && s.non2xx === 0)} |`,
    );
  }
  lines.push('');
  lines.push('| GET /health, c=32 | requests/s | p50 | p99 | target |');
  lines.push('|---|---|---|---|---|');
  lines.push(
    `| bare node:http | ${rps(r.health.bare.rps)} | ${ms(r.health.bare.p50)} | ${ms(r.health.bare.p99)} | |`,
  );
  lines.push(
    `| service | ${rps(r.health.service.rps)} (${r.health.rpsRatio.toFixed(2)}x) | ${ms(r.health.service.p50)} | ${ms(r.health.service.p99)} | >= ${TARGETS.healthRatio}x: ${verdict(r.health.rpsRatio >= TARGETS.healthRatio)} |`,
  );
  lines.push('');
  lines.push('| footprint | value | target |');
  lines.push('|---|---|---|');
  lines.push(
    `| start to first 200 from /health | ${ms(r.footprint.startupMs)} | < ${TARGETS.startupMs} ms: ${verdict(r.footprint.startupMs < TARGETS.startupMs)} |`,
  );
  lines.push(
    `| resident memory, idle | ${r.footprint.idleRssMb.toFixed(1)} MB | < ${TARGETS.idleRssMb} MB: ${verdict(r.footprint.idleRssMb < TARGETS.idleRssMb)} |`,
  );
  lines.push(
    `| resident memory, peak during the adds | ${r.footprint.peakRssMb.toFixed(1)} MB | |`,
  );
  console.log(lines.join('\n'));
}

await main();
