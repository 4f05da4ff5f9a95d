#!/usr/bin/env node
// `npm run image:check` (after `npm run setup -- --image`): builds the Dockerfile unchanged with
// buildah and runs the image with podman against a real qBittorrent 4.5.2 whose config the image's
// own first-start writer made, then checks what a user relies on: /health, /health/ready (200: the
// written password works), the README's first request, the HEALTHCHECK with the service bound to a
// specific address, the `node` user, a read-only root, and exit 0 on SIGTERM within the grace period;
// then deploy/compose/two-qbittorrents.yml as far as it runs here: two qBittorrents configured by
// the image's writer, each with its own save path, behind one container.
// Prints the figures (build time, image size, start and stop times) and one result line.
//
// Where the base image cannot be pulled (no registry reachable), it builds a stand-in under the
// base image's name: a minimal Debian with the Node.js and npm in use. It proves the Dockerfile's
// logic (stages, lockfile, build, user, permissions, CMD, HEALTHCHECK, signals), not Alpine's musl.
import { execFile as execFileCallback, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { aptMirror } from './lib/chroots.mjs';
import { answers, freePort } from './lib/ports.mjs';
import { parseIni } from '../src/qbittorrent-config/qbittorrent-ini.mjs';
import { startQbittorrent } from './lib/qbittorrent.mjs';
import { setup } from './setup.mjs';

const execFile = promisify(execFileCallback);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE_IMAGE = 'docker.io/library/node:24-alpine';
const IMAGE = 'localhost/downloader-qbittorrent:image-check';
const PULL_TIMEOUT_MS = 30_000;
/** Marks the stand-in, so that a later run still says what it checks against. */
const STAND_IN_LABEL = 'downloader-qbittorrent.stand-in';
/** docker-compose.yml's stop_grace_period: SHUTDOWN_TIMEOUT_MS (10 s) + 5 s. */
const GRACE_PERIOD_S = 15;
const README_REQUEST = {
  link_id: 1,
  url: 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=test',
};

/** @type {{ name: string, ok: boolean, detail: string }[]} */
const results = [];
/** @type {Record<string, string>} */
const figures = {};

/** @param {string} name @param {boolean} ok @param {string} [detail] */
function check(name, ok, detail = '') {
  results.push({ name, ok, detail });
  console.log(`image-check: ${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** Runs a command; its output, or an error with its stderr. @param {string} command @param {string[]} args */
async function run(command, args, env = process.env) {
  const { stdout } = await execFile(command, args, {
    env,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error) => {
    throw new Error(
      `${command} ${args.slice(0, 3).join(' ')}… failed: ${String(error.stderr || error.message)
        .trim()
        .slice(-1500)}`,
    );
  });
  return stdout.trim();
}

try {
  setup({ check: true, image: true });
} catch (error) {
  console.error(`image-check: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const work = await mkdtemp(join(tmpdir(), 'image-check-'));
// The host's hard limits are low, and crun fails on its mixed cgroups: our own containers.conf,
// named by CONTAINERS_CONF, so that nothing of the machine's configuration changes.
const containersConf = join(work, 'containers.conf');
await writeFile(
  containersConf,
  '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n',
);
const env = { ...process.env, CONTAINERS_CONF: containersConf };
const podman = (/** @type {string[]} */ ...args) => run('podman', args, env);

/** @type {string | undefined} */
let container;
/** @type {import('./lib/qbittorrent.mjs').RunningQbittorrent | undefined} */
let qbittorrent;
/** The two of the two-qBittorrents example. @type {(import('./lib/qbittorrent.mjs').RunningQbittorrent | undefined)[]} */
const pair = [];
try {
  await ensureBaseImage();

  let started = Date.now();
  await run(
    'buildah',
    [
      'bud',
      '--format',
      'docker',
      '--pull=never',
      '--network',
      'host',
      '--runtime',
      'runc',
      '--layers',
      '-t',
      IMAGE,
      root,
    ],
    env,
  );
  figures.build = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const sizeOf = async (/** @type {string} */ image) =>
    Number(await podman('image', 'inspect', image, '--format', '{{.Size}}')) / 1e6;
  const [size, baseSize] = [await sizeOf(IMAGE), await sizeOf(BASE_IMAGE)];
  figures.size = `${size.toFixed(0)} MB (${(size - baseSize).toFixed(0)} MB over the base image)`;
  const config = JSON.parse(
    await podman('image', 'inspect', IMAGE, '--format', '{{json .Config}}'),
  );
  check('the image runs as node', config.User === 'node', `USER ${config.User}`);
  const healthcheck = JSON.parse(
    await podman('image', 'inspect', IMAGE, '--format', '{{json .HealthCheck}}'),
  );
  check(
    'the image keeps its HEALTHCHECK',
    Array.isArray(healthcheck?.Test),
    JSON.stringify(healthcheck?.Test),
  );

  // qBittorrent from the config the image's own writer made, in a folder as the init container sees it.
  const password = `check-${Math.random().toString(36).slice(2, 12)}`;
  const configDir = join(work, 'config');
  await mkdir(configDir);
  /** The image's first-start writer, as the Compose init service runs it. @param {string[]} env */
  const writeConfig = (...env) =>
    podman(
      ...['run', '--rm', '--network', 'none', '--user', '0:0', '-v', `${configDir}:/config`],
      ...env.flatMap((variable) => ['-e', variable]),
      IMAGE,
      ...['node', 'dist/qbittorrent-config/write-qbittorrent-config.js'],
      '/config/qBittorrent/qBittorrent.conf',
    );
  await writeConfig(
    'QBITTORRENT_USER=admin',
    `QBITTORRENT_PASSWORD=${password}`,
    `PUID=${process.getuid?.() ?? 0}`,
    `PGID=${process.getgid?.() ?? 0}`,
  );
  const written = await readFile(join(configDir, 'qBittorrent', 'qBittorrent.conf'), 'utf8');
  check('the init wrote the config', written.includes('WebUI\\Password_PBKDF2="@ByteArray('));
  const again = await writeConfig('QBITTORRENT_PASSWORD=another-password');
  check(
    'a second init run leaves it as it is',
    (await readFile(join(configDir, 'qBittorrent', 'qBittorrent.conf'), 'utf8')) === written,
    again,
  );
  // The written settings over the safe test ones (loopback only, no DHT, free ports).
  qbittorrent = await startQbittorrent({
    version: '4.5.2',
    username: 'admin',
    password,
    extraConfig: parseIni(written),
  });

  // Bound to a specific loopback address other than 127.0.0.1: the HEALTHCHECK must follow it.
  const host = '127.0.0.2';
  const port = await freePort();
  started = Date.now();
  container = await runService({
    PORT: String(port),
    BIND_ADDRESS: host,
    QBITTORRENT_URL: qbittorrent.url,
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: password,
    CORE_SERVICE_URL: '',
    SHUTDOWN_TIMEOUT_MS: String((GRACE_PERIOD_S - 5) * 1000),
  });
  const service = `http://${host}:${port}`;
  while (!(await answers(`${service}/health`))) {
    if (Date.now() - started > 30_000)
      throw new Error(
        `the service did not answer within 30 s:\n${await podman('logs', container)}`,
      );
    await sleep(50);
  }
  figures.start = `${((Date.now() - started) / 1000).toFixed(2)} s to the first /health`;

  const health = await fetch(`${service}/health`);
  check('GET /health', health.status === 200, `${health.status}`);
  let ready = await fetch(`${service}/health/ready`);
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await sleep(100);
    ready = await fetch(`${service}/health/ready`);
  }
  check('GET /health/ready (the written password works)', ready.status === 200, `${ready.status}`);
  const added = await fetch(`${service}/download`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(README_REQUEST),
  });
  const body = await added.text();
  check(
    "the README's first request",
    added.status === 201 && JSON.parse(body).status === 'accepted',
    `${added.status} ${body}`,
  );
  const probe = spawnSync('podman', ['healthcheck', 'run', container], { env, encoding: 'utf8' });
  check(
    `the HEALTHCHECK, bound to ${host}`,
    probe.status === 0,
    (probe.stdout || probe.stderr).trim().split('\n').at(-1),
  );
  check('runs as uid 1000 (node)', (await podman('exec', container, 'id', '-u')) === '1000');
  const write = spawnSync('podman', ['exec', container, 'sh', '-c', 'touch /app/dist/x'], {
    env,
    encoding: 'utf8',
  });
  check('a read-only root', write.status !== 0, write.stderr.trim().split('\n').at(-1));

  started = Date.now();
  await podman('stop', '-t', String(GRACE_PERIOD_S), container);
  const stopSeconds = (Date.now() - started) / 1000;
  figures.stop = `${stopSeconds.toFixed(2)} s`;
  const exitCode = await podman('inspect', container, '--format', '{{.State.ExitCode}}');
  check(
    `SIGTERM: exit 0 within the ${GRACE_PERIOD_S} s grace period`,
    exitCode === '0' && stopSeconds < GRACE_PERIOD_S,
    `exit ${exitCode} after ${stopSeconds.toFixed(2)} s`,
  );
  await podman('rm', '-f', container);
  container = undefined;

  // deploy/compose/two-qbittorrents.yml as far as this machine allows (no registry: qBittorrent
  // runs here, not from its image): the image's writer makes each qBittorrent's config with a save
  // path of its own, and the image serves both behind one URL list.
  const savePaths = [join(work, 'downloads-a'), join(work, 'downloads-b')];
  for (const [i, savePath] of savePaths.entries()) {
    await mkdir(savePath);
    await rm(join(configDir, 'qBittorrent'), { recursive: true, force: true });
    await writeConfig(
      'QBITTORRENT_USER=admin',
      `QBITTORRENT_PASSWORD=${password}`,
      `QBITTORRENT_SAVE_PATH=${savePath}`,
      `PUID=${process.getuid?.() ?? 0}`,
      `PGID=${process.getgid?.() ?? 0}`,
    );
    const each = await readFile(join(configDir, 'qBittorrent', 'qBittorrent.conf'), 'utf8');
    pair[i] = await startQbittorrent({
      version: '4.5.2',
      username: 'admin',
      password,
      extraConfig: parseIni(each),
    });
  }
  const both = `http://127.0.0.1:${await freePort()}`;
  container = await runService({
    PORT: new URL(both).port,
    BIND_ADDRESS: '127.0.0.1',
    QBITTORRENT_URL: pair.map((one) => one?.url).join(','),
    QBITTORRENT_USER: 'admin',
    QBITTORRENT_PASSWORD: password,
    CORE_SERVICE_URL: '',
  });
  /** @type {{ status: string, free_space_on_disk: number | null }[]} */
  let instances = [];
  // By the clock, not by tries: on a busy machine the container's start alone can take seconds.
  for (const waiting = Date.now(); Date.now() - waiting < 30_000;) {
    const answer = await fetch(`${both}/health/ready`).catch(() => undefined);
    /** @type {any} */
    const body = answer ? await answer.json().catch(() => ({})) : {};
    instances = body.details?.qbittorrent?.instances ?? [];
    if (instances.length === 2 && instances.every((one) => one.free_space_on_disk !== null)) break;
    await sleep(100);
  }
  check(
    'two qBittorrents: readiness lists both, up, with their free space',
    instances.length === 2 && instances.every((one) => one.status === 'up'),
    JSON.stringify(instances.map((one) => [one.status, one.free_space_on_disk])),
  );
  const items = Array.from({ length: 8 }, (_, i) => ({
    link_id: i + 1,
    url: `magnet:?xt=urn:btih:${(0xe0 + i).toString(16).padStart(40, '0')}`,
  }));
  const batch = /** @type {{ results?: { status: string, hash: string }[] }} */ (
    await fetch(`${both}/downloads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    }).then((answer) => answer.json())
  );
  const hashes = batch.results?.map((result) => result.hash) ?? [];
  const polled = /** @type {{ statuses?: { save_path: string }[] }} */ (
    await fetch(`${both}/downloads?hashes=${hashes.join(',')}`).then((answer) => answer.json())
  );
  const paths = new Set((polled.statuses ?? []).map((one) => one.save_path));
  check(
    'two qBittorrents: a batch shared between them, each under its written save path',
    (batch.results ?? []).every((one) => one.status === 'accepted') &&
      hashes.length === items.length &&
      paths.size === 2 &&
      savePaths.every((path) => paths.has(path)),
    `${hashes.length} accepted; save paths ${[...paths].join(', ')}`,
  );
} catch (error) {
  check(
    'the image check ran to its end',
    false,
    error instanceof Error ? error.message : String(error),
  );
} finally {
  if (container) await podman('rm', '-f', container).catch(() => undefined);
  await podman('rmi', '-f', IMAGE).catch(() => undefined);
  await qbittorrent?.stop();
  for (const one of pair) await one?.stop();
  await rm(work, { recursive: true, force: true });
}

console.log(
  `image-check: ${Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ')}`,
);
const failed = results.filter((result) => !result.ok).length;
console.log(`image: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/**
 * Starts a container of the image, detached, on the host's network, its root file system read-only,
 * with `env`; answers its id.
 * @param {Record<string, string>} env
 */
async function runService(env) {
  const flags = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  return podman('run', '-d', '--network', 'host', '--read-only', ...flags, IMAGE);
}

/** The base image: present, pulled, or a stand-in built here under its name. */
async function ensureBaseImage() {
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE], { env }).status === 0) {
    const label = await podman(
      'image',
      'inspect',
      BASE_IMAGE,
      '--format',
      `{{index .Labels "${STAND_IN_LABEL}"}}`,
    );
    console.log(
      label === 'true'
        ? `image-check: ${BASE_IMAGE} is the STAND-IN built here earlier (minimal Debian 12 with Node.js; not Alpine)`
        : `image-check: base image ${BASE_IMAGE} present`,
    );
    return;
  }
  const pull = spawnSync('podman', ['pull', '-q', BASE_IMAGE], {
    env,
    timeout: PULL_TIMEOUT_MS,
    encoding: 'utf8',
  });
  if (pull.status === 0) {
    console.log(`image-check: pulled ${BASE_IMAGE}`);
    return;
  }
  console.log(
    `image-check: ${BASE_IMAGE} cannot be pulled here; building a STAND-IN under its name: minimal Debian 12 with Node.js ${process.versions.node} (Debian, not Alpine: it proves the Dockerfile's logic, not musl)`,
  );
  const started = Date.now();
  const base = join(work, 'stand-in');
  const cached = await debianRoot();
  await run('tar', ['-C', dirname(base), '-xf', cached]);
  // Node.js and npm as the base image has them: in /usr/local, with the npm registry settings.
  await cp(realpathSync(process.execPath), join(base, 'usr/local/bin/node'));
  const npmDir = npmRoot();
  await cp(npmDir, join(base, 'usr/local/lib/node_modules/npm'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(base, 'usr/local/bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(base, 'usr/local/bin/npx'));
  for (const [from, to] of [
    ['/etc/npmrc', 'etc/npmrc'],
    ['/usr/etc/npmrc', 'usr/etc/npmrc'],
    ['/etc/npmrc', 'usr/local/etc/npmrc'],
    ['/usr/etc/npmrc', 'usr/local/etc/npmrc'],
  ]) {
    if (existsSync(from)) {
      await mkdir(dirname(join(base, to)), { recursive: true });
      await cp(from, join(base, to));
    }
  }
  await cp('/usr/local/share/ca-certificates', join(base, 'usr/local/share/ca-certificates'), {
    recursive: true,
  }).catch(() => undefined);
  await run('chroot', [base, 'update-ca-certificates']);
  await run('chroot', [
    base,
    'sh',
    '-c',
    'groupadd -g 1000 node && useradd -u 1000 -g 1000 -m -d /home/node -s /bin/sh node',
  ]);
  await chmod(join(base, 'tmp'), 0o1777);
  await run(
    'sh',
    [
      '-c',
      `tar -C '${base}' -c . | podman import --change 'CMD ["node"]' --change 'LABEL ${STAND_IN_LABEL}=true' - ${BASE_IMAGE}`,
    ],
    env,
  );
  await rm(base, { recursive: true, force: true });
  figures['stand-in'] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
}

/** A minimal Debian 12 root as a tarball, made once with debootstrap and kept in the cache. */
async function debianRoot() {
  const cache = join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'downloader-qbittorrent',
  );
  const tarball = join(cache, 'bookworm-minbase.tar');
  if (existsSync(tarball)) return tarball;
  await mkdir(cache, { recursive: true });
  const building = join(work, 'stand-in');
  console.log('image-check: debootstrap bookworm (about a minute, once)');
  await run('debootstrap', [
    '--variant=minbase',
    '--include=ca-certificates,passwd',
    'bookworm',
    building,
    await aptMirror(),
  ]);
  await run('tar', ['-C', work, '-cf', `${tarball}.part`, 'stand-in']);
  await run('mv', [`${tarball}.part`, tarball]);
  await rm(building, { recursive: true, force: true });
  return tarball;
}

/** The folder of the npm that runs this machine's npm scripts. */
function npmRoot() {
  const npm = spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], {
    encoding: 'utf8',
  }).stdout.trim();
  return dirname(dirname(npm));
}
