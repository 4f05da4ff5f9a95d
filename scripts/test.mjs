#!/usr/bin/env node
// `npm test`: the unit, static-file and e2e tests, then the integration tests against a real qBittorrent, one
// file at a time. Both stages always run (a failure in the first still shows what the real
// qBittorrent says), and the last line counts the tests of both.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJest } from './jest.mjs';

const reports = mkdtempSync(join(tmpdir(), 'downloader-qbittorrent-test-'));
const stages = [
  { projects: ['unit', 'static', 'e2e'], args: [] },
  { projects: ['integration'], args: ['--runInBand'] },
];
let passed = 0;
let failed = 0;
// A suite can fail without a failed test (an error outside every test, e.g. in a hook).
let brokenSuites = 0;
let ok = true;
for (const [index, stage] of stages.entries()) {
  const outputFile = join(reports, `${index}.json`);
  const args = [...stage.args, '--json', `--outputFile=${outputFile}`];
  const status = runJest(stage.projects, args);
  try {
    const report = JSON.parse(readFileSync(outputFile, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    brokenSuites += report.testResults.filter(
      (/** @type {{ status: string, assertionResults: { status: string }[] }} */ suite) =>
        suite.status === 'failed' &&
        suite.assertionResults.every((test) => test.status !== 'failed'),
    ).length;
    if (report.numTotalTests === 0) ok = false;
  } catch {
    ok = false; // Jest died before writing its report
  }
  if (status !== 0) ok = false;
}
rmSync(reports, { recursive: true, force: true });
const broken = brokenSuites > 0 ? `, ${brokenSuites} suite(s) failed outside their tests` : '';
console.log(`\n${passed} passed, ${failed} failed${broken}`);
process.exit(ok && failed === 0 ? 0 : 1);
