import { ConfigService } from '@nestjs/config';
import { type AppConfig, loadAppConfig } from '../app.config.js';

/** The ConfigService the application would build from `env` (and defaults for the rest). */
export function newConfigService(env: Record<string, string> = {}): ConfigService<AppConfig, true> {
  return new ConfigService<AppConfig, true>(loadAppConfig(env));
}
