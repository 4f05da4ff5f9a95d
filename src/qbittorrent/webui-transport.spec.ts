import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QbittorrentTimeoutError, QbittorrentUnavailableError } from './qbittorrent.errors.js';
import { WebuiTransport } from './webui-transport.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A one-route HTTP server on 127.0.0.1 that records what it received. */
async function serve(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { method, url, headers } = request;
      received.push({ method, url, headers, body: Buffer.concat(chunks).toString() });
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

function transportTo(
  url: string,
  timeoutMs = 2000,
  metrics = new MetricsService(),
): WebuiTransport {
  const config = {
    get: () => ({ url, timeoutMs }),
  } as unknown as ConfigService<AppConfig, true>;
  return new WebuiTransport(config, metrics);
}

describe('WebuiTransport', () => {
  let server: Server | undefined;
  let transport: WebuiTransport | undefined;

  afterEach(async () => {
    transport?.onApplicationShutdown();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('sends the form, the cookie and the query under /api/v2, and answers status, body and cookies', async () => {
    const served = await serve((_request, response) => {
      response.setHeader('set-cookie', ['SID=abc; HttpOnly; path=/']);
      response.end('Ok.');
    });
    server = served.server;
    transport = transportTo(served.url);
    const answer = await transport.send(
      'torrents/add',
      { method: 'POST', query: { a: 'x|y' }, form: { urls: 'magnet:?xt=urn:btih:1&dn=a b' } },
      'SID=old',
    );
    expect(answer).toEqual({ status: 200, body: 'Ok.', setCookie: ['SID=abc; HttpOnly; path=/'] });
    const [call] = served.received;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/api/v2/torrents/add?a=x%7Cy');
    expect(call.headers.cookie).toBe('SID=old');
    expect(call.headers['accept-encoding']).toBe('identity');
    expect(new URLSearchParams(call.body).get('urls')).toBe('magnet:?xt=urn:btih:1&dn=a b');
  });

  it('keeps a path prefix of the WebUI address (qBittorrent behind a reverse proxy)', async () => {
    const served = await serve((_request, response) => response.end('v4.5.2'));
    server = served.server;
    transport = transportTo(`${served.url}/qbittorrent`);
    await transport.send('app/version', {});
    expect(served.received[0].url).toBe('/qbittorrent/api/v2/app/version');
  });

  it('uploads a multipart body with its boundary', async () => {
    const served = await serve((_request, response) => response.end('Ok.'));
    server = served.server;
    transport = transportTo(served.url);
    await transport.send('torrents/add', {
      method: 'POST',
      multipart: () => {
        const form = new FormData();
        form.append('torrents', new Blob([Buffer.from('d4:infoe')]), 'a.torrent');
        form.append('tags', 'link:1');
        return form;
      },
    });
    const [call] = served.received;
    const boundary = /boundary=(.+)$/.exec(call.headers['content-type'] ?? '')?.[1];
    expect(boundary).toBeDefined();
    expect(call.body).toContain(`--${boundary}`);
    expect(call.body).toContain('filename="a.torrent"');
    expect(call.body).toContain('d4:infoe');
    expect(call.body).toContain('link:1');
  });

  it('reads an answer a proxy compressed although it was not asked to', async () => {
    const served = await serve((_request, response) => {
      response.setHeader('content-encoding', 'gzip');
      response.end(gzipSync('[{"hash":"abc"}]'));
    });
    server = served.server;
    transport = transportTo(served.url);
    expect((await transport.send('torrents/info', {})).body).toBe('[{"hash":"abc"}]');
  });

  it('gives up at the deadline, the wait for an answer included', async () => {
    const served = await serve(() => undefined); // never answers
    server = served.server;
    transport = transportTo(served.url, 150);
    await expect(transport.send('torrents/info', {})).rejects.toBeInstanceOf(
      QbittorrentTimeoutError,
    );
  });

  it('names the system error when nothing listens', async () => {
    const closed = await serve(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    transport = transportTo(closed.url);
    const failure = transport.send('app/version', {});
    await expect(failure).rejects.toBeInstanceOf(QbittorrentUnavailableError);
    await expect(failure).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('counts every call and its outcome in the metrics', async () => {
    const served = await serve((_request, response) => {
      response.statusCode = 403;
      response.end('Forbidden');
    });
    server = served.server;
    const metrics = new MetricsService();
    transport = transportTo(served.url, 2000, metrics);
    expect((await transport.send('torrents/info', {})).status).toBe(403);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /downloader_qbittorrent_request_duration_seconds_count\{operation="torrents\/info",status="403"\} 1/,
    );
  });
});
