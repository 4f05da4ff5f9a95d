import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { responses: Record<string, unknown>; security?: unknown[] }>
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('OpenAPI', () => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    qbittorrent = await FakeQbittorrent.start();
    sut = await startApp({
      QBITTORRENT_URL: qbittorrent.url,
      API_TOKEN: 'a-token-of-at-least-16-characters',
    });
    const response = await request(sut.app.getHttpServer()).get('/openapi.json');
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
  });

  afterAll(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  it('describes every route the application serves', () => {
    const express = sut.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
    const served = express.router.stack
      .filter((layer) => layer.route !== undefined && !/^\/(docs|openapi)/.test(layer.route.path))
      .flatMap((layer) =>
        Object.keys(layer.route?.methods ?? {}).map(
          (method) =>
            `${method.toUpperCase()} ${(layer.route?.path ?? '').replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();

    expect(served).toEqual([
      'DELETE /downloads/{hash}',
      'GET /downloads',
      'GET /health',
      'GET /health/ready',
      'GET /metrics',
      'POST /config/credentials',
      'POST /download',
      'POST /downloads',
      'POST /downloads/cancel',
      'POST /downloads/{hash}/pause',
      'POST /downloads/{hash}/resume',
    ]);
    expect(documented).toEqual(served);
  });

  it.each([
    ['/download', 'post', ['201', '400', '401', '413', '500', '502']],
    ['/config/credentials', 'post', ['200', '400', '401', '500']],
    ['/downloads', 'post', ['200', '400', '401', '413', '500']],
    ['/downloads', 'get', ['200', '400', '401', '500']],
    ['/downloads/cancel', 'post', ['200', '400', '401', '413', '500']],
    ['/downloads/{hash}/pause', 'post', ['200', '400', '401', '404', '500']],
    ['/downloads/{hash}/resume', 'post', ['200', '400', '401', '404', '500']],
    ['/downloads/{hash}', 'delete', ['200', '400', '401', '404', '500']],
    ['/health', 'get', ['200']],
    ['/health/ready', 'get', ['200', '503']],
    ['/metrics', 'get', ['200', '401']],
  ])('documents the status codes of %s %s', (path, method, codes) => {
    expect(Object.keys(document.paths[path][method].responses).sort()).toEqual(codes);
  });

  it('documents the DTOs, with examples, and the bearer scheme on every protected route', () => {
    for (const schema of [
      'CreateDownloadDto',
      'DownloadResponseDto',
      'AddDownloadsDto',
      'DownloadItemDto',
      'AddDownloadsResponseDto',
      'TorrentStatusDto',
      'StatusResponseDto',
      'CancelDownloadsDto',
      'CancelResponseDto',
      'SwitchResultDto',
      'DeleteResultDto',
      'ErrorResponseDto',
    ]) {
      expect(document.components.schemas).toHaveProperty(schema);
    }
    expect(document.components.schemas.CreateDownloadDto).toMatchObject({
      required: expect.arrayContaining(['link_id', 'url']),
      properties: {
        link_id: { example: 123 },
        url: { example: expect.stringMatching(/^magnet:\?xt=urn:btih:/) },
      },
    });
    expect(document.components.securitySchemes).toHaveProperty('api-token');
    expect(document.paths['/download'].post.security).toEqual([{ 'api-token': [] }]);
    expect(document.paths['/health'].get.security).toBeUndefined();
  });

  it('serves Swagger UI at /docs, open like the health checks', async () => {
    const response = await request(sut.app.getHttpServer()).get('/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
    // Swagger UI's script, its init (with the document) and its styles, all from /docs.
    const server = sut.app.getHttpServer();
    const bundle = await request(server).get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    const init = await request(server).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('downloader-qbittorrent');
    const css = await request(server).get('/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers['x-powered-by']).toBeUndefined();
  });

  it('answers a path under /docs that does not exist like any other unknown route', async () => {
    const server = sut.app.getHttpServer();
    const unknown = await request(server).get('/docs/no-such-file.js');
    const elsewhere = await request(server).get('/no-such-route');
    expect(unknown.status).toBe(elsewhere.status);
    expect(elsewhere.body).toEqual({ error: 'Cannot GET /no-such-route' });
    expect(unknown.body).toEqual({ error: 'Cannot GET /docs/no-such-file.js' });
    expect(unknown.headers['content-type']).toBe(elsewhere.headers['content-type']);
  });
});
