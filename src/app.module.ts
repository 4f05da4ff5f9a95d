import { type DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiTokenGuard } from './auth/api-token.guard.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { InvalidRequestError } from './common/common.errors.js';
import { RequestBodyGuard } from './common/request-body.guard.js';
import { loadAppConfig } from './config/app.config.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { DownloadsModule } from './downloads/downloads.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MemoryModule } from './memory/memory.module.js';
import { MonitoringModule } from './monitoring/monitoring.module.js';
import { QbittorrentModule } from './qbittorrent/qbittorrent.module.js';
import { RegistrationModule } from './registration/registration.module.js';
import { StartupModule } from './startup/startup.module.js';

export interface AppModuleOptions {
  /**
   * The environment to configure from. By default `process.env` plus a `.env` file if there is one;
   * tests pass their own so that nothing outside them leaks in.
   */
  env?: Record<string, string | undefined>;
}

@Module({})
export class AppModule {
  /** Rejects with InvalidEnvironmentError, naming each bad variable, before anything starts. */
  static async forRoot(options: AppModuleOptions = {}): Promise<DynamicModule> {
    const { env } = options;
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: env !== undefined,
      skipProcessEnv: env !== undefined,
      validatePredefined: env === undefined,
      validate: (raw) => loadAppConfig(env ?? raw),
    });
    return {
      module: AppModule,
      imports: [
        config,
        MetricsModule,
        MemoryModule,
        QbittorrentModule,
        DownloadsModule,
        HealthModule,
        CredentialsModule,
        RegistrationModule,
        MonitoringModule,
        StartupModule,
      ],
      // What every route of every module gets: the token guard, then the body's errors, then
      // validation of its DTOs, and one error path. A new module adds none of them itself.
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        // In this order: authentication first, then the body.
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_GUARD, useClass: RequestBodyGuard },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            transform: true,
            whitelist: true,
            stopAtFirstError: true,
            forbidUnknownValues: true,
            exceptionFactory: (errors) => InvalidRequestError.fromValidation(errors),
          }),
        },
      ],
    };
  }
}
