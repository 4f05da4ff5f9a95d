/** Jest runs in native ESM mode (see scripts/jest.mjs): NestJS 12 ships as ES modules only. */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};

/** @type {import('jest').Config} */
export default {
  // Generous on purpose: speed belongs to the benchmark, and a suite must pass on a busy 2-core
  // machine (a 1000-link batch took 6.6 s there, past Jest's default 5 s). Jest reads this option
  // here only, not per project.
  testTimeout: 60_000,
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    // The project's own files read as data (Dockerfile, Compose, manifests, README): no server.
    {
      ...base,
      displayName: 'static',
      roots: ['<rootDir>/test/static'],
      testMatch: ['**/*.static-spec.ts'],
    },
    { ...base, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-setup.ts'],
    },
  ],
};
