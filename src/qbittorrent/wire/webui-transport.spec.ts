import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsService } from '../../metrics/metrics.service.js';
import {
  QbittorrentTimeoutError,
  QbittorrentTlsError,
  QbittorrentUnavailableError,
} from './qbittorrent.errors.js';
import { QbittorrentMetrics } from './qbittorrent.metrics.js';
import { WebuiTransport } from './webui-transport.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const tls = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));

/** A one-route HTTP (or HTTPS, with `certificate`) server on 127.0.0.1 that records what it received. */
async function serve(
  answer: Answer,
  certificate?: string,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { method, url, headers } = request;
      received.push({ method, url, headers, body: Buffer.concat(chunks).toString() });
      answer(request, response);
    });
  };
  const server =
    certificate === undefined
      ? createServer(handle)
      : createHttpsServer({ key: tls('key.pem'), cert: tls(certificate) }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = certificate === undefined ? 'http' : 'https';
  return { server, url: `${scheme}://127.0.0.1:${port}`, received };
}

describe(WebuiTransport.name, () => {
  let server: Server | undefined;
  let sut: WebuiTransport | undefined;
  let metrics: MetricsService;

  /** The transport to `url`, as an instance builds it. */
  const transportTo = (url: string, timeoutMs = 2000) => {
    metrics = new MetricsService();
    sut = new WebuiTransport(
      { url, label: 'qbittorrent:8080', timeoutMs },
      new QbittorrentMetrics(metrics),
    );
    return sut;
  };
  const serving = async (answer: Answer, certificate?: string) => {
    const served = await serve(answer, certificate);
    server = served.server;
    return served;
  };

  afterEach(async () => {
    sut?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
    sut = undefined;
  });

  it('sends the form, the cookie and the query under /api/v2, and answers status, body and cookies', async () => {
    const served = await serving((_request, response) => {
      response.setHeader('set-cookie', ['SID=abc; HttpOnly; path=/']);
      response.end('Ok.');
    });
    const answer = await transportTo(served.url).send(
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
    const served = await serving((_request, response) => response.end('v4.5.2'));
    await transportTo(`${served.url}/qbittorrent`).send('app/version', {});
    expect(served.received[0].url).toBe('/qbittorrent/api/v2/app/version');
  });

  it('uploads a multipart body with its boundary', async () => {
    const served = await serving((_request, response) => response.end('Ok.'));
    await transportTo(served.url).send('torrents/add', {
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
    const served = await serving((_request, response) => {
      response.setHeader('content-encoding', 'gzip');
      response.end(gzipSync('[{"hash":"abc"}]'));
    });
    expect((await transportTo(served.url).send('torrents/info', {})).body).toBe('[{"hash":"abc"}]');
  });

  it('gives up at the deadline, the wait for an answer included', async () => {
    const served = await serving(() => undefined); // never answers
    await expect(transportTo(served.url, 150).send('torrents/info', {})).rejects.toBeInstanceOf(
      QbittorrentTimeoutError,
    );
  });

  it('names the system error when nothing listens', async () => {
    const closed = await serve(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    const failure = transportTo(closed.url).send('app/version', {});
    await expect(failure).rejects.toBeInstanceOf(QbittorrentUnavailableError);
    await expect(failure).rejects.toMatchObject({ code: 'ECONNREFUSED', transient: true });
  });

  it('counts every call and its outcome in the metrics', async () => {
    const served = await serving((_request, response) => {
      response.statusCode = 403;
      response.end('Forbidden');
    });
    expect((await transportTo(served.url).send('torrents/info', {})).status).toBe(403);
    expect(await metrics.registry.metrics()).toMatch(
      /downloader_qbittorrent_request_duration_seconds_count\{qbittorrent="qbittorrent:8080",operation="torrents\/info",status="403"\} 1/,
    );
  });

  describe('an HTTPS WebUI', () => {
    const defaultCas = getCACertificates('default');
    const ok: Answer = (_request, response) => response.end('v5.1.0');

    // As NODE_EXTRA_CA_CERTS does for a whole process: the test CA trusted, for this block only.
    beforeAll(() => setDefaultCACertificates([...defaultCas, tls('ca.pem').toString()]));
    afterAll(() => setDefaultCACertificates(defaultCas));

    it('answers over TLS with a certificate of a trusted CA', async () => {
      const served = await serving(ok, 'server.pem');
      expect((await transportTo(served.url).send('app/version', {})).body).toBe('v5.1.0');
    });

    it.each([
      ['self-signed.pem', 'DEPTH_ZERO_SELF_SIGNED_CERT', /does not trust.*NODE_EXTRA_CA_CERTS/],
      ['expired.pem', 'CERT_HAS_EXPIRED', /expired certificate/],
      ['other-name.pem', 'ERR_TLS_CERT_ALTNAME_INVALID', /certificate for another name/],
    ])(
      'names a %s certificate for what it is, not worth another try',
      async (certificate, code, message) => {
        const served = await serving(ok, certificate);
        const failure = transportTo(served.url).send('app/version', {});
        await expect(failure).rejects.toBeInstanceOf(QbittorrentTlsError);
        await expect(failure).rejects.toMatchObject({ code, transient: false });
        await expect(failure).rejects.toThrow(message);
        expect(served.received).toEqual([]);
      },
    );

    it('says so when the port does not speak TLS at all', async () => {
      const served = await serving(ok);
      const failure = transportTo(served.url.replace('http:', 'https:')).send('app/version', {});
      await expect(failure).rejects.toBeInstanceOf(QbittorrentTlsError);
      await expect(failure).rejects.toThrow(/does not speak TLS on that port: use http:\/\//);
    });
  });
});
