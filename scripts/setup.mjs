#!/usr/bin/env node
// `npm run setup`: makes a fresh machine ready for the tests and `npm run local`: npm packages, and
// the Debian packages the real-qBittorrent tests need. Idempotent; silent when everything is there.
// The only script that installs anything; the others only check (--check) and say what is missing.
//   node scripts/setup.mjs            npm packages + qbittorrent-nox
//   node scripts/setup.mjs --compat   also debootstrap and mktorrent (npm run test:compat)
//   node scripts/setup.mjs --check    install nothing: fail naming what is missing
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

/** @param {{ compat?: boolean, check?: boolean }} [options] */
export function setup(options = {}) {
  const advice = `run \`npm run setup${options.compat ? ' -- --compat' : ''}\` first`;
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    if (options.check) throw new Error(`npm packages are not installed: ${advice}`);
    console.log('setup: installing npm packages (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  }

  /** @type {Record<string, string>} command -> Debian package */
  const wanted = { 'qbittorrent-nox': 'qbittorrent-nox' };
  if (options.compat) Object.assign(wanted, { debootstrap: 'debootstrap', mktorrent: 'mktorrent' });
  const missing = Object.entries(wanted)
    .filter(([command]) => !has(command))
    .map(([, pkg]) => pkg);
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
  try {
    setup({ compat: process.argv.includes('--compat'), check: process.argv.includes('--check') });
  } catch (error) {
    console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
