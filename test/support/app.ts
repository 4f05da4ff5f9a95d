import { ConsoleLogger, type ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { currentRequestId } from '../../src/logging/request-context.js';
import { QbittorrentPool } from '../../src/qbittorrent/pool/qbittorrent-pool.js';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import { APP_OPTIONS, configureApp } from '../../src/app.setup.js';

/**
 * Collects everything the application logs, at every level, for assertions, with the id of the
 * request being served at the end (`[req <id>]`), as the service's own logger writes it. Nest's Logger is process-wide: the
 * application started last receives the logs of every application.
 */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super({ logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] });
  }

  protected override printMessages(messages: unknown[], context = '', logLevel = 'log'): void {
    for (const message of messages) {
      const text =
        message instanceof Error ? `${message.message}\n${message.stack}` : String(message);
      const requestId = currentRequestId();
      const request = requestId === undefined ? '' : ` [req ${requestId}]`;
      this.lines.push(`${logLevel} [${context}] ${text}${request}`);
    }
  }

  protected override printStackTrace(stack: string | undefined): void {
    if (stack) this.lines.push(stack);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: NestExpressApplication;
  logs: CapturingLogger;
  /** The WebUI client of the (first) qBittorrent the application drives. */
  client: QbittorrentClient;
  close(): Promise<void>;
}

/**
 * The real application, configured only from `env` (never from the machine's environment), with
 * registration off and short retry delays unless `env` says otherwise. Listens on 127.0.0.1.
 * `modules` are imported beside AppModule, as a module the team adds to AppModule's imports is.
 */
export async function startApp(
  env: Record<string, string>,
  logs = new CapturingLogger(),
  modules: ModuleMetadata['imports'] = [],
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      await AppModule.forRoot({
        env: { CORE_SERVICE_URL: '', RETRY_BASE_DELAY_MS: '20', BIND_ADDRESS: '127.0.0.1', ...env },
      }),
      ...modules,
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
  configureApp(app);
  app.useLogger(logs);
  await app.listen(0, '127.0.0.1');
  const client = app.get(QbittorrentPool).instances[0].client;
  return { app, logs, client, close: () => app.close() };
}
