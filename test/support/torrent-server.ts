import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * A web server on 127.0.0.1 that serves .torrent files and the ways a tracker site can fail:
 * routes are added by path; every request is counted.
 */
export class TorrentServer {
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, Handler>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TorrentServer> {
    const server = createServer();
    const instance = new TorrentServer(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      instance.hits.set(path, (instance.hits.get(path) ?? 0) + 1);
      const route = instance.routes.get(path);
      if (route) route(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Serves `body` at `path`, as a .torrent unless told otherwise. */
  file(path: string, body: Buffer | string, contentType = 'application/x-bittorrent'): string {
    this.routes.set(path, (_request, response) => {
      response.writeHead(200, { 'content-type': contentType }).end(body);
    });
    return this.url(path);
  }

  /** Redirects `path` to `location` with a 302. */
  redirect(path: string, location: string): string {
    this.routes.set(path, (_request, response) => {
      response.writeHead(302, { location }).end();
    });
    return this.url(path);
  }

  /** Answers `path` with `status` for the first `times` requests, then serves `body`. */
  flaky(path: string, status: number, times: number, body: Buffer): string {
    this.routes.set(path, (_request, response) => {
      if ((this.hits.get(path) ?? 0) <= times) response.writeHead(status).end();
      else response.writeHead(200, { 'content-type': 'application/x-bittorrent' }).end(body);
    });
    return this.url(path);
  }

  /** Streams `bytes` of zeros at `path`, without a content length. */
  endless(path: string, bytes: number): string {
    this.routes.set(path, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-bittorrent' });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.on('close', () => (sent = bytes));
      pump();
    });
    return this.url(path);
  }

  /** Accepts the request at `path` and never answers. */
  hang(path: string): string {
    this.routes.set(path, () => undefined);
    return this.url(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
