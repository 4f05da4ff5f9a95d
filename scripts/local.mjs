#!/usr/bin/env node
// `npm run local` (after `npm run setup`): starts a real qBittorrent 4.5.2 on 127.0.0.1:8080
// (user admin, password adminadmin: the service's defaults) and the service on 127.0.0.1:8002 with
// registration off. Ctrl-C stops both. The qBittorrent profile lives in .local/qbittorrent.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startQbittorrent } from './lib/qbittorrent.mjs';
import { setup } from './setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webuiPort = Number(process.env.LOCAL_QBITTORRENT_PORT ?? 8080);
const servicePort = Number(process.env.PORT ?? 8002);

try {
  setup({ check: true });
} catch (error) {
  console.error(`local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const qbittorrent = await startQbittorrent({
  version: '4.5.2',
  username: 'admin',
  password: 'adminadmin',
  webuiPort,
  profileDir: join(root, '.local', 'qbittorrent'),
}).catch((error) => {
  console.error(`local: qBittorrent did not start on 127.0.0.1:${webuiPort}: ${error.message}`);
  console.error('local: is the port taken? Choose another with LOCAL_QBITTORRENT_PORT=<port>.');
  process.exit(1);
});
console.log(
  `local: qBittorrent ${qbittorrent.version} at ${qbittorrent.url} (admin / adminadmin), pid ${qbittorrent.pid}`,
);

const service = spawn(process.execPath, ['dist/main.js'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: String(servicePort),
    BIND_ADDRESS: process.env.BIND_ADDRESS ?? '127.0.0.1',
    QBITTORRENT_URL: qbittorrent.url,
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: 'adminadmin',
    CORE_SERVICE_URL: process.env.CORE_SERVICE_URL ?? '',
  },
});
console.log(`local: the service listens on http://127.0.0.1:${servicePort} (pid ${service.pid}); Ctrl-C stops both. Try:
  curl -X POST http://localhost:${servicePort}/download -H "Content-Type: application/json" \\
    -d '{"link_id": 1, "url": "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=test"}'`);

let stopping = false;
const stop = async (/** @type {number} */ code) => {
  if (stopping) return;
  stopping = true;
  if (service.exitCode === null) service.kill('SIGTERM');
  await qbittorrent.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
service.on('exit', (code) => void stop(code ?? 0));
