import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { AppLogger } from '../src/logging/app-logger.js';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('LOG_FORMAT=json and request ids', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  let lines: string[];

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
    await request(sut.app.getHttpServer()).get('/health/ready'); // log in before we listen
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  /** Runs `act` with the JSON logger, collecting what it writes to stdout and stderr. */
  async function capture(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
    lines = [];
    const keep = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(keep);
    jest.spyOn(process.stderr, 'write').mockImplementation(keep);
    sut.app.useLogger(new AppLogger(['fatal', 'error', 'warn', 'log'], 'json'));
    try {
      await act();
    } finally {
      jest.restoreAllMocks();
      sut.app.useLogger(sut.logs);
    }
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("writes one JSON object per line with level, time, context, message and the caller's request id", async () => {
    let response: request.Response | undefined;
    const entries = await capture(async () => {
      response = await request(sut.app.getHttpServer())
        .post('/download')
        .set('x-request-id', 'core-req-42')
        .send({ link_id: 7, url: `magnet:?xt=urn:btih:${HEX}` });
    });

    expect(response?.headers['x-request-id']).toBe('core-req-42');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(
      true,
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        context: 'Downloads',
        message: `link_id=7 hash=${HEX} accepted`,
        requestId: 'core-req-42',
      }),
    );
  });

  it('makes a request id when the caller sends none or an unsafe one, and returns it', async () => {
    let plain: request.Response | undefined;
    let unsafe: request.Response | undefined;
    const entries = await capture(async () => {
      plain = await request(sut.app.getHttpServer())
        .post('/download')
        .send({ link_id: 8, url: 'http://x' });
      unsafe = await request(sut.app.getHttpServer())
        .post('/download')
        .set('x-request-id', 'bad id "with" quotes and spaces')
        .send({ link_id: 9, url: 'http://x' });
    });

    expect(plain?.headers['x-request-id']).toMatch(UUID);
    expect(unsafe?.headers['x-request-id']).toMatch(UUID);
    expect(entries.map((entry) => entry.requestId)).toEqual([
      plain?.headers['x-request-id'],
      unsafe?.headers['x-request-id'],
    ]);
    expect(entries.map((entry) => entry.level)).toEqual(['warn', 'warn']);
  });
});
