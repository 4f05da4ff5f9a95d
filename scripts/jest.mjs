#!/usr/bin/env node
// Runs Jest on the projects named first (`node scripts/jest.mjs unit,e2e [jest options] [files]`),
// with Node's VM modules: NestJS 12 is published as ES modules only, and Jest loads ES modules
// natively only with that flag. The projects are passed last because `--selectProjects` takes every
// word after it: `npm run test:e2e -- test/health.e2e-spec.ts` would otherwise run every suite.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');

/**
 * Runs Jest in a child process and returns its exit code.
 * @param {string[]} projects
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
export function runJest(projects, args, env = process.env) {
  const { status, signal } = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      jest,
      ...args,
      '--selectProjects',
      ...projects,
    ],
    { stdio: 'inherit', env },
  );
  return status ?? (signal ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [projects = '', ...args] = process.argv.slice(2);
  process.exit(runJest(projects.split(','), args));
}
