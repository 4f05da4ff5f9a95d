import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeCoreService } from './fakes/fake-core-service.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { report } from './support/faults.js';
import { hashOf } from './support/links.js';
import {
  compileService,
  type ServiceProcess,
  startServiceProcess,
} from './support/service-process.js';

interface Answer {
  status: number;
  body: string;
}

/** One request on a connection of its own (no keep-alive), as a fresh client would make it. */
function post(port: number, path: string, body: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('SIGTERM while requests are in flight', () => {
  let qbittorrent: FakeQbittorrent;
  let core: FakeCoreService;
  let main: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    // The real entry point, compiled as the Dockerfile compiles it.
    main = compileService('shutdown');
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    core = await FakeCoreService.start([500]);
  }, 60_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await qbittorrent.stop();
    await core.stop();
  });

  it('stops accepting, finishes what it started, stops registering and exits 0 within 10 s', async () => {
    service = await startServiceProcess(main, {
      QBITTORRENT_URL: qbittorrent.url,
      CORE_SERVICE_URL: core.url,
      REGISTRATION_INITIAL_DELAY_MS: '100',
      REGISTRATION_MAX_DELAY_MS: '100',
      LOG_LEVEL: 'info',
    });
    const { child } = service;
    const port = Number(new URL(service.url).port);
    const exited = new Promise<{ code: number | null; signal: string | null; at: number }>(
      (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    while (core.registrations.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));

    // Five adds that qBittorrent takes 1.5 s to answer.
    qbittorrent.inject('torrents/add', { kind: 'delay', ms: 1500 }, 5);
    const inFlight = [1, 2, 3, 4, 5].map((n) =>
      post(port, '/download', { link_id: n, url: `magnet:?xt=urn:btih:${hashOf(n)}` }),
    );
    while (qbittorrent.callsTo('torrents/add').length < 5)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await post(port, '/download', {
      link_id: 6,
      url: `magnet:?xt=urn:btih:${hashOf(6)}`,
    }).catch((error: NodeJS.ErrnoException) => ({ status: 0, body: error.code ?? String(error) }));
    const registrationsAtSignal = core.registrations.length;

    const answers = await Promise.all(inFlight);
    const exit = await exited;

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    for (const n of [1, 2, 3, 4, 5]) expect(qbittorrent.torrents.has(hashOf(n))).toBe(true);
    // The late request was never taken: the listener is closed.
    expect(late).toEqual({ status: 0, body: 'ECONNREFUSED' });
    expect(qbittorrent.torrents.has(hashOf(6))).toBe(false);
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(10_000);
    expect(core.registrations.length).toBeLessThanOrEqual(registrationsAtSignal + 1);
    expect(service.output()).toContain('SIGTERM received: finishing the requests in flight');
    report(
      'SIGTERM with 5 adds in flight (qBittorrent answering in 1.5 s) and registration retrying',
      `5/5 answered 201, a new request after the signal got ${late.body}, exit code ${exit.code} after ${exit.at - signalled} ms`,
    );
  }, 60_000);
});
