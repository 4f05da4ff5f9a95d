import type { LogLevel } from '@nestjs/common';
import type { LogFormat } from '../logging/app-logger.js';
import {
  type EnvironmentVariables,
  type LogLevelName,
  validateEnvironment,
} from './environment.js';
import { type QbittorrentInstanceConfig, qbittorrentInstances } from './qbittorrent-instances.js';

export interface HttpConfig {
  port: number;
  bindAddress: string;
  /** The bearer token every endpoint but the health checks requires; null when authentication is off. */
  apiToken: string | null;
  /** How long a shutdown may wait for requests in flight before the process exits anyway. */
  shutdownTimeoutMs: number;
}

export interface QbittorrentConfig {
  /** The qBittorrents this service drives (QBITTORRENT_URL), in the order given: one, or several. */
  instances: QbittorrentInstanceConfig[];
}

export interface RetryConfig {
  maxAttempts: number;
  baseDelayMs: number;
}

export interface TorrentFetchConfig {
  /** Whether .torrent URLs may resolve to loopback, private, link-local or metadata addresses. */
  allowPrivate: boolean;
  /** HTTP proxy URL, or null. */
  proxy: string | null;
  timeoutMs: number;
  maxBytes: number;
}

export interface StatusConfig {
  /** A torrent stalled this long without metadata or seeds is reported dead. */
  deadTorrentAfterS: number;
}

export interface RegistrationConfig {
  /** `null` when CORE_SERVICE_URL is empty: registration is off. */
  coreServiceUrl: string | null;
  serviceName: string;
  serviceHost: string;
  servicePort: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** The shortest time between two registrations after a qBittorrent answers again. */
  recoveryIntervalMs: number;
}

/** The typed configuration every module reads through `ConfigService<AppConfig, true>`. */
export interface AppConfig {
  http: HttpConfig;
  qbittorrent: QbittorrentConfig;
  retry: RetryConfig;
  registration: RegistrationConfig;
  torrentFetch: TorrentFetchConfig;
  status: StatusConfig;
  logLevels: LogLevel[];
  logFormat: LogFormat;
}

const LOG_LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export function toAppConfig(env: EnvironmentVariables): AppConfig {
  return {
    http: {
      port: env.PORT,
      bindAddress: env.BIND_ADDRESS,
      apiToken: env.API_TOKEN === '' ? null : env.API_TOKEN,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    qbittorrent: {
      instances: qbittorrentInstances(env.QBITTORRENT_URL, {
        username: env.QBITTORRENT_USER,
        password: env.QBITTORRENT_PASSWORD,
        timeoutMs: env.QBITTORRENT_TIMEOUT_MS,
        loginCooldownMs: env.QBITTORRENT_LOGIN_COOLDOWN_MS,
        drain: env.QBITTORRENT_DRAIN,
      }),
    },
    retry: { maxAttempts: env.RETRY_MAX_ATTEMPTS, baseDelayMs: env.RETRY_BASE_DELAY_MS },
    registration: {
      coreServiceUrl:
        env.CORE_SERVICE_URL === '' ? null : withoutTrailingSlash(env.CORE_SERVICE_URL),
      serviceName: env.SERVICE_NAME,
      serviceHost: env.SERVICE_HOST,
      servicePort: env.PORT,
      initialDelayMs: env.REGISTRATION_INITIAL_DELAY_MS,
      maxDelayMs: Math.max(env.REGISTRATION_MAX_DELAY_MS, env.REGISTRATION_INITIAL_DELAY_MS),
      recoveryIntervalMs: env.REGISTRATION_RECOVERY_INTERVAL_MS,
    },
    torrentFetch: {
      allowPrivate: env.TORRENT_FETCH_ALLOW_PRIVATE,
      proxy: env.TORRENT_FETCH_PROXY === '' ? null : env.TORRENT_FETCH_PROXY,
      timeoutMs: env.TORRENT_FETCH_TIMEOUT_MS,
      maxBytes: env.TORRENT_FETCH_MAX_BYTES,
    },
    status: { deadTorrentAfterS: env.DEAD_TORRENT_AFTER_S },
    logLevels: LOG_LEVELS[env.LOG_LEVEL],
    logFormat: env.LOG_FORMAT,
  };
}

/** The `validate` hook given to ConfigModule: raw environment in, typed AppConfig out. */
export function loadAppConfig(raw: Record<string, unknown>): AppConfig {
  return toAppConfig(validateEnvironment(raw));
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
