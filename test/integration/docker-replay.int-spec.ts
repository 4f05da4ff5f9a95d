import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/lib/ports.mjs';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { type Replay, replayDockerfile, runReplay } from '../support/dockerfile.js';
import { report } from '../support/faults.js';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

const root = join(import.meta.dirname, '..', '..');
// Once per test:compat run is enough: the image does not depend on the qBittorrent version.
const describeOnce = versionsUnderTest().includes('4.5.2') ? describe : describe.skip;

describeOnce('the Dockerfile, replayed without Docker', () => {
  let workspace: string;
  let replay: Replay;
  let qbittorrent: RunningQbittorrent;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'docker-replay-'));
    replay = replayDockerfile(join(root, 'Dockerfile'), root, workspace);
    qbittorrent = await startQbittorrent({ version: '4.5.2' });
  }, 300_000);

  afterAll(async () => {
    await qbittorrent?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('builds an image folder with the compiled code and production dependencies only', () => {
    expect(existsSync(join(replay.root, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(replay.root, 'node_modules', '@nestjs', 'core'))).toBe(true);
    for (const devOnly of ['typescript', 'jest', '@nestjs/cli', 'eslint', 'supertest']) {
      expect(existsSync(join(replay.root, 'node_modules', devOnly))).toBe(false);
    }
    expect(existsSync(join(replay.root, 'src'))).toBe(false);
  });

  it('runs its CMD: /health answers 200, its HEALTHCHECK passes, and POST /download reaches the real qBittorrent', async () => {
    const port = await freePort();
    const child = runReplay(replay, {
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_USER: qbittorrent.username,
      QBITTORRENT_PASSWORD: qbittorrent.password,
      CORE_SERVICE_URL: '',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const started = Date.now();
      let health: Response | undefined;
      while (Date.now() - started < 20_000) {
        health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (health) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health?.status).toBe(200);
      expect(await health?.text()).toBe('OK');
      expect(replay.env.NODE_ENV).toBe('production');

      const [command, ...args] = replay.healthcheck ?? [];
      const probe = spawnSync(command === 'node' ? process.execPath : command, args, {
        env: { PATH: process.env.PATH, PORT: String(port) },
      });
      expect(probe.status).toBe(0);

      const hash = 'dc0ce1c06bba254a9dc9f519b335aa7c1367a88a';
      const download = await fetch(`http://127.0.0.1:${port}/download`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ link_id: 1, url: `magnet:?xt=urn:btih:${hash}` }),
      });
      expect(download.status).toBe(201);
      expect(await download.json()).toEqual({ status: 'accepted', hash, error: null });
      report(
        'Dockerfile replayed (npm ci, build, npm ci --omit=dev, CMD)',
        `/health 200 after ${Date.now() - started} ms, HEALTHCHECK exit 0, POST /download 201 on qBittorrent 4.5.2`,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nservice output:\n${output}`, { cause: error });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
