import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the core keeps of a link it dispatched: the last result, as download_dispatch.rs records it. */
export interface CoreLink {
  url: string;
  status: 'downloading' | 'failed' | 'downloader_error';
  hash?: string;
  reason?: string;
}

/**
 * A core service on 127.0.0.1 that records registrations and answers with a scripted status list.
 * Given the downloader's address (`downloader`), it also acts as rust-bangumi's core does with the
 * links it sends: each link's last result is kept (`links`); a poll that fails turns every
 * download of the downloader into `downloader_error`; and every accepted registration re-sends, in
 * one batch, each link that ended `failed` or `downloader_error` (`retry_failed_downloads`).
 */
export class FakeCoreService {
  readonly registrations: unknown[] = [];
  readonly requestTimes: number[] = [];
  /** The downloader's base URL (its registration names a host the tests cannot reach). */
  downloader: string | null = null;
  /** Each link id's last result. */
  readonly links = new Map<number, CoreLink>();
  /** The re-sends that followed registrations, in order (settled once each batch is answered). */
  readonly resends: Promise<number>[] = [];

  private constructor(
    private readonly server: Server,
    private readonly statuses: number[],
  ) {}

  /** `statuses` are answered in order; the last one repeats. */
  static async start(statuses: number[] = [201], port = 0): Promise<FakeCoreService> {
    const server = createServer();
    const fake = new FakeCoreService(server, [...statuses]);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/services/register') {
          response.writeHead(404).end();
          return;
        }
        fake.registrations.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        fake.requestTimes.push(Date.now());
        const status =
          fake.statuses.length > 1 ? (fake.statuses.shift() as number) : fake.statuses[0];
        const body =
          status < 300
            ? {
                service_id: `svc-${fake.registrations.length}`,
                registered_at: new Date().toISOString(),
              }
            : { error: 'core service is not ready' };
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(body));
        if (status < 300 && fake.downloader !== null) fake.resends.push(fake.resendFailed());
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sends links to the downloader in one batch (POST /downloads) and keeps each result. */
  async dispatch(items: { url: string; link_id: number }[]): Promise<void> {
    type ItemResult = { status: string; hash?: string; reason?: string };
    let results: ItemResult[] | null = null as ItemResult[] | null;
    let problem = '';
    try {
      const response = await fetch(`${this.downloader}/downloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      const body = (await response.json()) as { results?: ItemResult[]; message?: string };
      if (response.ok && Array.isArray(body.results)) results = body.results;
      else problem = `HTTP ${response.status}: ${body.message ?? ''}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    for (const [i, { url, link_id }] of items.entries()) {
      const result = results?.[i];
      this.links.set(
        link_id,
        result?.status === 'accepted'
          ? { url, status: 'downloading', hash: result.hash }
          : { url, status: 'failed', reason: result?.reason ?? problem },
      );
    }
  }

  /** Polls the downloads it is downloading (GET /downloads); a failed poll errs them all. */
  async poll(): Promise<void> {
    const active = [...this.links.values()].filter((link) => link.status === 'downloading');
    if (active.length === 0) return;
    const hashes = active.map((link) => link.hash).join(',');
    const ok = await fetch(`${this.downloader}/downloads?hashes=${hashes}`)
      .then((response) => response.ok)
      .catch(() => false);
    if (!ok) for (const link of active) link.status = 'downloader_error';
  }

  /** Links whose last result is `status`. */
  linksIn(status: CoreLink['status']): number[] {
    return [...this.links].filter(([, link]) => link.status === status).map(([id]) => id);
  }

  /** retry_failed_downloads: every failed or downloader_error link, sent again in one batch. */
  private async resendFailed(): Promise<number> {
    const again = [...this.links]
      .filter(([, link]) => link.status === 'failed' || link.status === 'downloader_error')
      .map(([link_id, link]) => ({ url: link.url, link_id }));
    if (again.length > 0) await this.dispatch(again);
    return again.length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
