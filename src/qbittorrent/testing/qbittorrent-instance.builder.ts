import {
  instanceLabel,
  type QbittorrentInstanceConfig,
} from '../../config/qbittorrent-instances.js';
import { newConfigService } from '../../config/testing/config.builder.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { newRetryService } from '../../retry/testing/retry.builder.js';
import {
  type QbittorrentInstance,
  QbittorrentInstanceFactory,
} from '../instance/qbittorrent-instance.js';
import { PoolMetrics } from '../pool/pool.metrics.js';
import { QbittorrentPool } from '../pool/qbittorrent-pool.js';
import { QbittorrentMetrics } from '../wire/qbittorrent.metrics.js';

/** An instance's config for the WebUI at `url`: admin/adminadmin, short deadlines. */
export function newInstanceConfig(
  url: string,
  overrides: Partial<QbittorrentInstanceConfig> = {},
): QbittorrentInstanceConfig {
  return {
    url,
    label: instanceLabel(new URL(url)),
    credentials: { username: 'admin', password: 'adminadmin' },
    sharedCredentials: true,
    timeoutMs: 2000,
    loginCooldownMs: 60_000,
    draining: false,
    ...overrides,
  };
}

/** A qBittorrent instance built as the application builds it, with metrics of its own. */
export function newQbittorrentInstance(
  url: string,
  overrides: Partial<QbittorrentInstanceConfig> = {},
  metrics = new QbittorrentMetrics(new MetricsService()),
): QbittorrentInstance {
  return new QbittorrentInstanceFactory(metrics).create(newInstanceConfig(url, overrides));
}

/**
 * The pool the application builds for `urls` (admin/adminadmin unless `env` says otherwise), with
 * metrics of its own and retries without waits (unless `env` sets RETRY_BASE_DELAY_MS). Its
 * background reads start with `onApplicationBootstrap()`.
 */
export function newQbittorrentPool(
  urls: string[],
  env: Record<string, string> = {},
  metrics = new MetricsService(),
): QbittorrentPool {
  const calls = new QbittorrentMetrics(metrics);
  return new QbittorrentPool(
    new QbittorrentInstanceFactory(calls),
    newConfigService({
      QBITTORRENT_URL: urls.join(','),
      QBITTORRENT_TIMEOUT_MS: '2000',
      ...env,
    }),
    newRetryService(env),
    new PoolMetrics(metrics, calls),
  );
}
