#!/usr/bin/env node
// `npm run test:compat`: the integration suite against every qBittorrent version we promise to
// support, one Jest run per version, then the several-qBittorrents suite on three of them at once,
// then a summary. Builds the Debian chroots that hold 4.2.5, 5.1.0 and 5.3.0 on first use (see
// scripts/lib/chroots.mjs); set QBT_VERSIONS to run fewer.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chrootCacheDir, ensureChroot, QBITTORRENT_VERSIONS } from './lib/chroots.mjs';
import { setup } from './setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const versions = (process.env.QBT_VERSIONS ?? Object.keys(QBITTORRENT_VERSIONS).join(','))
  .split(',')
  .map((version) => version.trim())
  .filter(Boolean);

try {
  setup({ compat: true, check: true });
} catch (error) {
  console.error(`test:compat: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const started = Date.now();
/** @type {Record<string, string>} */
const binaries = {};
for (const version of versions) {
  const spec = QBITTORRENT_VERSIONS[version];
  if (!spec) throw new Error(`unknown version ${version}`);
  const chroot = spec.suite ? await ensureChroot(spec.suite) : '/';
  const args =
    chroot === '/'
      ? ['qbittorrent-nox', ['--version']]
      : ['chroot', [chroot, 'qbittorrent-nox', '--version']];
  binaries[version] = execFileSync(
    /** @type {string} */ (args[0]),
    /** @type {string[]} */ (args[1]),
    { encoding: 'utf8' },
  ).trim();
}
const prepared = Date.now();

/** The runs: the whole suite per version, then the several-qBittorrents suites on all of them at once. */
const runs = versions.map((version) => ({
  name: version,
  binary: binaries[version],
  env: /** @type {Record<string, string>} */ ({ QBT_VERSIONS: version }),
  args: /** @type {string[]} */ ([]),
}));
if (versions.length > 1) {
  // The oldest and the two newest: the widest spread of dialects three instances can hold.
  const mixed = versions.length > 3 ? [versions[0], ...versions.slice(-2)] : versions;
  runs.push({
    name: 'mixed',
    binary: mixed.join(' + '),
    env: { QBT_VERSIONS: mixed[0], QBT_MIXED_VERSIONS: mixed.join(',') },
    args: [
      'test/integration/several-qbittorrents.int-spec.ts',
      'test/integration/replicas-and-kills.int-spec.ts',
      'test/integration/outage-recovery.int-spec.ts',
    ],
  });
}

const results = [];
const reports = mkdtempSync(join(tmpdir(), 'test-compat-'));
for (const run of runs) {
  console.log(`\n=== qBittorrent ${run.name} (${run.binary}) ===`);
  const outputFile = join(reports, `${run.name}.json`);
  const runStarted = Date.now();
  const { status } = spawnSync(
    process.execPath,
    [
      join(root, 'scripts/jest.mjs'),
      'integration',
      '--runInBand',
      '--json',
      `--outputFile=${outputFile}`,
      ...run.args,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  /** @type {{ numPassedTests: number, numFailedTests: number, numTotalTests: number }} */
  let report = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    // Jest died before writing its report: counted as a failure below.
  }
  results.push({
    version: run.name,
    binary: run.binary,
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    ok: status === 0 && report.numFailedTests === 0 && report.numTotalTests > 0,
    seconds: Math.round((Date.now() - runStarted) / 1000),
  });
}

rmSync(reports, { recursive: true, force: true });

console.log(
  `\nqBittorrent compatibility (chroots in ${chrootCacheDir()}, ready in ${Math.round((prepared - started) / 1000)} s):`,
);
console.log(
  'version  binary                                             passed  failed  time  result',
);
for (const r of results) {
  console.log(
    `${r.version.padEnd(8)} ${r.binary.padEnd(50)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${`${r.seconds}s`.padStart(4)}  ${r.ok ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`total ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
