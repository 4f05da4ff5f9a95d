// Starts the service (loaded by main.ts once the Node.js version is known to be good).
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, configureApp } from './app.setup.js';
import type { AppConfig } from './config/app.config.js';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(), {
    ...APP_OPTIONS,
    bufferLogs: true,
    // Without this Nest aborts the process on a configuration error instead of letting us explain it.
    abortOnError: false,
  });
  configureApp(app);
  const logger = new Logger('Main');
  const { port, bindAddress, shutdownTimeoutMs } = app
    .get<ConfigService<AppConfig, true>>(ConfigService)
    .get('http', { infer: true });

  // On a signal Nest stops taking requests, lets those in flight finish, runs the shutdown hooks
  // (registration stops) and exits 0. A request stuck longer than the grace period does not hold
  // the process: the orchestrator would kill it anyway.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      logger.log(`${signal} received: finishing the requests in flight`);
      setTimeout(() => {
        logger.error(`Requests still in flight after ${shutdownTimeoutMs} ms: exiting anyway`);
        process.exit(1);
      }, shutdownTimeoutMs).unref();
    });
  }

  await app.listen(port, bindAddress);
  logger.log(`Listening on http://${bindAddress}:${port}`);
}

await bootstrap().catch((error: unknown) => {
  process.stderr.write(`downloader-qbittorrent failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
