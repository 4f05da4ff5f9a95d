import { ConsoleLogger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/app.setup.js';

/**
 * Collects everything the application logs, at every level, for assertions. Nest's Logger is
 * process-wide: the application started last receives the logs of every application.
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
      this.lines.push(`${logLevel} [${context}] ${text}`);
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
  close(): Promise<void>;
}

/**
 * The real application, configured only from `env` (never from the machine's environment), with
 * registration off and short retry delays unless `env` says otherwise. Listens on 127.0.0.1.
 */
export async function startApp(
  env: Record<string, string>,
  logs = new CapturingLogger(),
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      await AppModule.forRoot({
        env: { CORE_SERVICE_URL: '', RETRY_BASE_DELAY_MS: '20', BIND_ADDRESS: '127.0.0.1', ...env },
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
  configureApp(app);
  app.useLogger(logs);
  await app.listen(0, '127.0.0.1');
  return { app, logs, close: () => app.close() };
}
