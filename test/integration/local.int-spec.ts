import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/lib/ports.mjs';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

const root = join(import.meta.dirname, '..', '..');
// `npm run local` always runs the machine's own qBittorrent 4.5.2: once per test:compat run.
const describeOnce = versionsUnderTest().includes('4.5.2') ? describe : describe.skip;
const README_REQUEST = {
  link_id: 1,
  url: 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=test',
};

interface Local {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm run local` as a user starts it, in a process group of its own so that nothing outlives the test. */
function startLocal(env: Record<string, string>): Local {
  const npm = spawn('npm', ['run', 'local'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(npm, 'exit').then(([code]) => code as number | null);
  return { npm, output: () => output, exited };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeOnce('npm run local', () => {
  const cleanups: (() => void | Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Starts it on free ports with a profile folder of its own. */
  async function startOnFreePorts(): Promise<Local & { port: number }> {
    const profile = mkdtempSync(join(tmpdir(), 'local-profile-'));
    const port = await freePort();
    const local = startLocal({
      PORT: String(port),
      LOCAL_QBITTORRENT_PORT: String(await freePort()),
      LOCAL_QBITTORRENT_PROFILE: profile,
    });
    cleanups.push(async () => {
      if (local.npm.exitCode === null) {
        process.kill(-(local.npm.pid as number), 'SIGKILL');
        await local.exited;
      }
      rmSync(profile, { recursive: true, force: true });
    });
    return { ...local, port };
  }

  function pidsOf(output: string): { qbittorrent: number; service: number } {
    const qbittorrent = Number(/qBittorrent 4\.5\.2 at .*pid (\d+)/.exec(output)?.[1]);
    const service = Number(/the service listens on .* \(pid (\d+)\)/.exec(output)?.[1]);
    return { qbittorrent, service };
  }

  it("refuses to start when qBittorrent's port answers HTTP, naming LOCAL_QBITTORRENT_PORT", async () => {
    let requests = 0;
    const foreign: HttpServer = createHttpServer((_request, response) => {
      requests++;
      response.end('Ok.');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => foreign.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

    const local = startLocal({
      LOCAL_QBITTORRENT_PORT: String(port),
      PORT: String(await freePort()),
    });
    expect(await local.exited).not.toBe(0);
    expect(local.output()).toContain(
      `port ${port} is taken by another program: choose qBittorrent's with LOCAL_QBITTORRENT_PORT=<port>`,
    );
    expect(local.output()).not.toContain('the service listens');
    expect(requests).toBe(0); // nothing was sent to the foreign server
  });

  it("refuses to start when the service's port is held by a silent listener, naming PORT", async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );

    const local = startLocal({
      PORT: String(port),
      LOCAL_QBITTORRENT_PORT: String(await freePort()),
    });
    expect(await local.exited).not.toBe(0);
    expect(local.output()).toContain(
      `port ${port} is taken by another program: choose the service's with PORT=<port>`,
    );
    expect(local.output()).not.toMatch(/qBittorrent 4\.5\.2 at/);
  });

  it("serves the README's first request and the demo's real download, then SIGTERM to npm stops both processes", async () => {
    const local = await startOnFreePorts();
    await waitFor(() => local.output().includes('the service listens'), 'npm run local ready');
    const { qbittorrent, service } = pidsOf(local.output());
    expect(isRunning(qbittorrent) && isRunning(service)).toBe(true);

    const response = await fetch(`http://localhost:${local.port}/download`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(README_REQUEST),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      status: 'accepted',
      hash: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a',
      error: null,
    });

    // `npm run demo`: a real download on 127.0.0.1 through this service, its bytes checked.
    const demo = spawn('npm', ['run', 'demo'], {
      cwd: root,
      env: { ...process.env, PORT: String(local.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let demoOutput = '';
    demo.stdout?.on('data', (chunk: Buffer) => (demoOutput += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (demoOutput += chunk.toString()));
    const [demoCode] = await once(demo, 'exit');
    expect(demoOutput).toMatch(/status completed, progress 100 %/);
    expect(demoOutput).toMatch(/bytes, the same bytes as seeded/);
    expect(demoCode).toBe(0);

    process.kill(local.npm.pid as number, 'SIGTERM');
    await local.exited;
    await waitFor(() => !isRunning(qbittorrent) && !isRunning(service), 'both stopped', 20_000);
  });

  it('stops both processes when npm dies of SIGHUP (a closed terminal)', async () => {
    const local = await startOnFreePorts();
    await waitFor(() => local.output().includes('the service listens'), 'npm run local ready');
    const { qbittorrent, service } = pidsOf(local.output());

    process.kill(local.npm.pid as number, 'SIGHUP');
    await local.exited;
    await waitFor(() => !isRunning(qbittorrent) && !isRunning(service), 'both stopped', 20_000);
  });
});
