#!/usr/bin/env node
// `npm run local` (after `npm run setup`): starts a real qBittorrent 4.5.2 on 127.0.0.1:8080
// (LOCAL_QBITTORRENT_PORT; user admin, password adminadmin: the service's defaults) and the service
// on 127.0.0.1:8002 (PORT) with registration off. The qBittorrent profile lives in .local/qbittorrent
// (LOCAL_QBITTORRENT_PROFILE).
//
// It refuses to start when either port is taken, and checks that what answers on each port is the
// process it started: a service driving somebody else's qBittorrent would add torrents there.
// Ctrl-C, SIGTERM or SIGHUP stop both processes, whichever process of the group gets the signal:
// npm forwards SIGTERM to this process (the script `exec`s node) but dies of SIGHUP without a word,
// so a parent that goes away counts as a stop too.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { answers, isFree, listensOn } from './lib/ports.mjs';
import { startQbittorrent } from './lib/qbittorrent.mjs';
import { serviceArgs } from './lib/service-command.mjs';
import { setup } from './setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICE_START_TIMEOUT_MS = 30_000;
const STOP_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`local: ${message}`);
  process.exit(1);
}

/** @param {string} name @param {number} fallback */
function portFrom(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    fail(`${name}=${raw} is not a TCP port`);
  return port;
}

const webuiPort = portFrom('LOCAL_QBITTORRENT_PORT', 8080);
const servicePort = portFrom('PORT', 8002);
const bindAddress = process.env.BIND_ADDRESS || '127.0.0.1';
if (webuiPort === servicePort) fail(`LOCAL_QBITTORRENT_PORT and PORT are both ${webuiPort}`);

try {
  setup({ check: true });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (!(await isFree(webuiPort))) {
  fail(
    `port ${webuiPort} is taken by another program: choose qBittorrent's with LOCAL_QBITTORRENT_PORT=<port>`,
  );
}
if (!(await isFree(servicePort, bindAddress))) {
  fail(`port ${servicePort} is taken by another program: choose the service's with PORT=<port>`);
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail('the build failed (above)');

const qbittorrent = await startQbittorrent({
  version: '4.5.2',
  username: 'admin',
  password: 'adminadmin',
  webuiPort,
  profileDir: process.env.LOCAL_QBITTORRENT_PROFILE || join(root, '.local', 'qbittorrent'),
}).catch((/** @type {Error} */ error) => fail(`qBittorrent did not start: ${error.message}`));
console.log(
  `local: qBittorrent ${qbittorrent.version} at ${qbittorrent.url} (admin / adminadmin), pid ${qbittorrent.pid}`,
);

const service = spawn(process.execPath, serviceArgs(), {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: String(servicePort),
    BIND_ADDRESS: bindAddress,
    QBITTORRENT_URL: qbittorrent.url,
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: 'adminadmin',
    CORE_SERVICE_URL: process.env.CORE_SERVICE_URL ?? '',
  },
});

let stopping = false;
/** Stops both processes (each by its pid), then exits. @param {number} code */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (service.exitCode === null && service.signalCode === null) service.kill('SIGTERM');
  await Promise.all([
    qbittorrent.stop(),
    service.exitCode === null && service.signalCode === null
      ? new Promise((resolve) => service.once('exit', resolve))
      : undefined,
  ]);
  process.exit(code);
}
for (const signal of STOP_SIGNALS) process.on(signal, () => void stop(0));
service.once('exit', (code, signal) => {
  if (!stopping)
    console.error(`local: the service exited (${signal ?? `code ${code}`}): stopping qBittorrent`);
  void stop(code ?? 0);
});
void qbittorrent.exited.then(() => {
  if (!stopping) console.error('local: qBittorrent exited: stopping the service');
  void stop(1);
});
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 500).unref();

// Announced only once the service itself (not a program that took its port meanwhile) answers.
const deadline = Date.now() + SERVICE_START_TIMEOUT_MS;
while (!stopping) {
  const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  if (await answers(`http://${host.includes(':') ? `[${host}]` : host}:${servicePort}/health`)) {
    if (await listensOn(/** @type {number} */ (service.pid), servicePort)) break;
    console.error(
      `local: another program answers on port ${servicePort}: choose the service's with PORT=<port>`,
    );
    await stop(1);
  }
  if (Date.now() > deadline) {
    console.error(
      `local: the service did not answer on port ${servicePort} within ${SERVICE_START_TIMEOUT_MS} ms`,
    );
    await stop(1);
  }
  await sleep(100);
}
const curl = spawnSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' }).status === 0;
console.log(`local: the service listens on http://${bindAddress}:${servicePort} (pid ${service.pid}); Ctrl-C stops both. Try${curl ? '' : ' (curl: apt-get install curl)'}:
  curl -X POST http://localhost:${servicePort}/download -H "Content-Type: application/json" \\
    -d '{"link_id": 1, "url": "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=test"}'
  That magnet names no tracker and this qBittorrent has DHT off: it is accepted and stays at 0 %.
  A real download end to end, on this machine only: npm run demo`);
