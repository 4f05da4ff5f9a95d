import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, configureApp } from './app.setup.js';
import type { AppConfig } from './config/app.config.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(), {
    ...APP_OPTIONS,
    bufferLogs: true,
    // Without this Nest aborts the process on a configuration error instead of letting us explain it.
    abortOnError: false,
  });
  configureApp(app);
  app.enableShutdownHooks();
  const { port, bindAddress } = app.get<ConfigService<AppConfig, true>>(ConfigService).get('http', {
    infer: true,
  });
  await app.listen(port, bindAddress);
  new Logger('Main').log(`Listening on http://${bindAddress}:${port}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`downloader-qbittorrent failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
