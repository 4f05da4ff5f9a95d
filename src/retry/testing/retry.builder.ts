import { newConfigService } from '../../config/testing/config.builder.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { RetryService } from '../retry.service.js';

/** The real RetryService, retrying without waiting (or as `env` says). */
export function newRetryService(env: Record<string, string> = {}): RetryService {
  return new RetryService(
    newConfigService({ RETRY_BASE_DELAY_MS: '0', ...env }),
    new MetricsService(),
  );
}
