import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A core service on 127.0.0.1 that records registrations and answers with a scripted status list. */
export class FakeCoreService {
  readonly registrations: unknown[] = [];
  readonly requestTimes: number[] = [];

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
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
