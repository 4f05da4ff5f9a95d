#!/usr/bin/env node
// `npm run demo`, while `npm run local` runs in another shell: a real download end to end without
// the internet. A second qBittorrent seeds a file of random bytes through its own tracker on
// 127.0.0.1; the demo sends its magnet to the service as the core would, polls the status until
// the file is complete, checks its bytes, then stops the seeder. PORT and API_TOKEN as for local.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { answers } from './lib/ports.mjs';
import { startSeeder } from './lib/seeder.mjs';
import { setup } from './setup.mjs';

const DOWNLOAD_TIMEOUT_MS = 120_000;
const service = `http://127.0.0.1:${process.env.PORT || 8002}`;
const headers = {
  'content-type': 'application/json',
  ...(process.env.API_TOKEN ? { authorization: `Bearer ${process.env.API_TOKEN}` } : {}),
};

try {
  setup({ check: true });
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (!(await answers(`${service}/health`))) {
  console.error(
    `demo: nothing answers at ${service}: start \`npm run local\` in another shell first`,
  );
  process.exit(1);
}

console.log('demo: starting a seeder (a second qBittorrent 4.5.2 with its tracker on 127.0.0.1)');
const seed = await startSeeder('4.5.2', 8 * 1024 * 1024);
let code = 1;
try {
  const url = seed.magnet;
  console.log(`demo: POST ${service}/download  ${JSON.stringify({ link_id: 1, url })}`);
  const added = await fetch(`${service}/download`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ link_id: 1, url }),
  });
  console.log(`demo: ${added.status} ${await added.text()}`);
  if (!added.ok) throw new Error('the service did not accept the magnet');

  const deadline = Date.now() + DOWNLOAD_TIMEOUT_MS;
  for (;;) {
    const response = await fetch(`${service}/downloads?hashes=${seed.hash}`, { headers });
    const {
      statuses: [entry],
    } = /** @type {{ statuses: { status: string, progress: number, files: string[] }[] }} */ (
      await response.json()
    );
    console.log(
      `demo: GET /downloads?hashes=…  status ${entry.status}, progress ${(entry.progress * 100).toFixed(0)} %`,
    );
    if (entry.status === 'completed') {
      const bytes = await readFile(entry.files[0]);
      const same = createHash('sha256').update(bytes).digest('hex') === seed.sha256;
      console.log(
        `demo: ${entry.files[0]}: ${bytes.length} bytes, ${same ? 'the same bytes as seeded' : 'NOT the bytes seeded'}`,
      );
      code = same ? 0 : 1;
      break;
    }
    if (Date.now() > deadline)
      throw new Error(`not complete after ${DOWNLOAD_TIMEOUT_MS / 1000} s`);
    await sleep(1000);
  }
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await seed.qbittorrent.stop();
}
process.exit(code);
