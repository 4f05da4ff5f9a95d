// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first: a folder imports only from its own layer and those below
 * (docs/extending.md, "The house"). Each line is one layer; inside qbittorrent/ and downloads/ the
 * layers are their subfolders.
 */
const LAYERS = [
  ['common', 'logging'],
  ['openapi', 'config'],
  ['metrics', 'retry', 'auth'],
  ['qbittorrent/identity'],
  ['qbittorrent/wire', 'torrent-file'],
  ['qbittorrent/instance'],
  ['qbittorrent/pool'],
  ['qbittorrent/qbittorrent.module.ts', 'credentials', 'health'],
  [
    'downloads/downloads.routes.ts',
    'downloads/downloads.limits.ts',
    'downloads/downloads.errors.ts',
    'downloads/link-tag.ts',
  ],
  ['downloads/torrents'],
  ['downloads/add', 'downloads/status', 'downloads/control'],
  ['downloads/downloads.module.ts', 'registration', 'memory', 'qbittorrent-config', 'monitoring'],
  ['startup'],
  ['app.module.ts', 'app.setup.ts', 'server.ts', 'main.ts'],
];
const path = (/** @type {string} */ part) => `./src/${part}`;
/** Folders of one layer that know nothing of each other: the jobs of the downloads feature. */
const APART = ['downloads/add', 'downloads/status', 'downloads/control'];
/** Each layer may not import from any layer above it, nor one of APART from another. */
const LAYER_ZONES = [
  ...LAYERS.slice(0, -1).flatMap((layer, index) =>
    layer.map((part) => ({
      target: path(part),
      from: LAYERS.slice(index + 1)
        .flat()
        .filter((above) => !part.startsWith(`${above}/`) && !above.startsWith(`${part}/`))
        .map(path),
      message: `${part} is below the folder it imports from (eslint.config.mjs, LAYERS)`,
    })),
  ),
  ...APART.map((part) => ({
    target: path(part),
    from: APART.filter((other) => other !== part).map(path),
    message: `${part} does not import the other jobs of downloads/ (eslint.config.mjs, APART)`,
  })),
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.test-build/', '.local/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The house: no import circle, and no import from a higher layer.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/**/testing/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
    },
  },
  {
    // Tests read untyped JSON answers (supertest's body is `any`).
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
