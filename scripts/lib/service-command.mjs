// How the service is started everywhere: the arguments of `npm start` after `node` (the image's
// CMD is the same command; a static test holds them together), so that `npm run local` and the
// benchmark run it with the same V8 flags as production.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `npm start`'s command line after `node`, e.g. ['--max-semi-space-size=16', 'dist/main.js']. */
export function serviceArgs() {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [command, ...args] = String(scripts.start).trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs ${command}, not node`);
  return args;
}
