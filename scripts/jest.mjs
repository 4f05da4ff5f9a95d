#!/usr/bin/env node
// Runs Jest with Node's VM modules: NestJS 12 is published as ES modules only, and Jest loads
// ES modules natively only with this flag on Node 20.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const { status, signal } = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    jest,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(status ?? (signal ? 1 : 0));
