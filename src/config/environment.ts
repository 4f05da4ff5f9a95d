import 'reflect-metadata';
import { hostname } from 'node:os';
import { plainToInstance, Transform } from 'class-transformer';
import {
  isURL,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  MinLength,
  Max,
  Min,
  ValidateIf,
  ValidateBy,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { InvalidEnvironmentError } from './config.errors.js';
import { instanceLabel, urlListEntries } from './qbittorrent-instances.js';

export const LOG_LEVEL_NAMES = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];
export const LOG_FORMATS = ['text', 'json'] as const;

const HTTP_URL = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};

/** Most WebUI URLs one service drives. */
export const MAX_QBITTORRENT_URLS = 32;

/**
 * One http(s) URL or several, comma-separated, none naming the same host and port twice. The
 * messages name the entry by its position, never by its text: a URL may carry a password.
 */
function IsUrlList(): PropertyDecorator {
  return ValidateBy({
    name: 'isUrlList',
    validator: {
      validate: (value) => urlListProblem(value) === null,
      defaultMessage: (args) => `${args?.property ?? 'value'} ${urlListProblem(args?.value)}`,
    },
  });
}

function urlListProblem(value: unknown): string | null {
  const entries = typeof value === 'string' ? urlListEntries(value) : [];
  if (entries.length === 0) return 'must be one or more http(s) URLs, comma-separated';
  if (entries.length > MAX_QBITTORRENT_URLS) {
    return `names more than ${MAX_QBITTORRENT_URLS} URLs`;
  }
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (!isURL(entry, HTTP_URL)) {
      return `entry ${index + 1} is not an http(s) URL (a comma in a password must be written %2C)`;
    }
    const where = instanceLabel(new URL(entry));
    if (seen.has(where)) return `names ${where} twice`;
    seen.add(where);
  }
  return null;
}

/**
 * Instances of QBITTORRENT_URL, by `host:port`, comma-separated. An entry that names none of them
 * is refused by name (an address carries no secret), with the names the service knows.
 */
function IsDrainList(): PropertyDecorator {
  return ValidateBy({
    name: 'isDrainList',
    validator: {
      validate: (value, args) => drainListProblem(value, args?.object) === null,
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} ${drainListProblem(args?.value, args?.object)}`,
    },
  });
}

function drainListProblem(value: unknown, env: object | undefined): string | null {
  const urls = (env as Partial<EnvironmentVariables> | undefined)?.QBITTORRENT_URL;
  if (typeof value !== 'string') return 'must be a comma-separated list of host:port';
  if (typeof urls !== 'string' || urlListProblem(urls) !== null) return null; // told there
  const known = urlListEntries(urls).map((entry) => instanceLabel(new URL(entry)));
  for (const entry of urlListEntries(value)) {
    if (!known.includes(entry.toLowerCase())) {
      return `names ${entry}, which is not one of QBITTORRENT_URL (as host:port: ${known.join(', ')})`;
    }
  }
  return null;
}

/**
 * Every environment variable the service reads, with its default. Values arrive as strings and are
 * converted by type; an invalid one stops the process with a message that names the variable
 * (never its value: QBITTORRENT_PASSWORD lives here too).
 */
export class EnvironmentVariables {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 8002;

  /** The core service's compose file names the port this way: read when PORT is not set. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  SERVICE_PORT?: number = undefined;

  @IsString()
  @IsNotEmpty()
  BIND_ADDRESS: string = '0.0.0.0';

  /** One WebUI URL, or several comma-separated; each may carry `user:password@` of its own. */
  @IsUrlList()
  QBITTORRENT_URL: string = 'http://localhost:8080';

  /** The instances of QBITTORRENT_URL (`host:port`) that take no new torrent: see docs/operations.md. */
  @IsDrainList()
  QBITTORRENT_DRAIN: string = '';

  /** Empty (with or without a password): no credentials until POST /config/credentials sets them. */
  @IsString()
  QBITTORRENT_USER: string = 'admin';

  @IsString()
  QBITTORRENT_PASSWORD: string = 'adminadmin';

  @IsInt()
  @Min(100)
  @Max(600_000)
  QBITTORRENT_TIMEOUT_MS: number = 5000;

  @IsInt()
  @Min(0)
  @Max(86_400_000)
  QBITTORRENT_LOGIN_COOLDOWN_MS: number = 30_000;

  /** Empty disables registration. */
  @ValidateIf((env: EnvironmentVariables) => env.CORE_SERVICE_URL !== '')
  @IsUrl(HTTP_URL)
  CORE_SERVICE_URL: string = 'http://core-service:8000';

  @IsString()
  @IsNotEmpty()
  SERVICE_NAME: string = 'qbittorrent-downloader';

  @IsString()
  @IsNotEmpty()
  SERVICE_HOST: string = hostname();

  @IsIn(LOG_LEVEL_NAMES)
  LOG_LEVEL: LogLevelName = 'info';

  @IsIn(LOG_FORMATS)
  LOG_FORMAT: (typeof LOG_FORMATS)[number] = 'text';

  /** Empty: no authentication. Otherwise every endpoint but the health checks wants it as a bearer token. */
  @IsString()
  @ValidateIf((env: EnvironmentVariables) => env.API_TOKEN !== '')
  @MinLength(16)
  API_TOKEN: string = '';

  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS: number = 10_000;

  @IsInt()
  @Min(1)
  @Max(10)
  RETRY_MAX_ATTEMPTS: number = 3;

  @IsInt()
  @Min(0)
  @Max(60_000)
  RETRY_BASE_DELAY_MS: number = 1000;

  @IsInt()
  @Min(1)
  @Max(3_600_000)
  REGISTRATION_INITIAL_DELAY_MS: number = 2000;

  @IsInt()
  @Min(1)
  @Max(3_600_000)
  REGISTRATION_MAX_DELAY_MS: number = 60_000;

  /** The shortest time between two registrations after a qBittorrent answers again. */
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  REGISTRATION_RECOVERY_INTERVAL_MS: number = 60_000;

  /** Lets .torrent links resolve to loopback, private and link-local addresses (home networks, tests). */
  @Transform(({ obj }) =>
    parseBoolean((obj as Record<string, unknown>).TORRENT_FETCH_ALLOW_PRIVATE),
  )
  @IsBoolean()
  TORRENT_FETCH_ALLOW_PRIVATE: boolean = false;

  /** An HTTP proxy for fetching .torrent files, e.g. `http://proxy:3128`; empty: none. */
  @ValidateIf((env: EnvironmentVariables) => env.TORRENT_FETCH_PROXY !== '')
  @IsUrl(HTTP_URL)
  TORRENT_FETCH_PROXY: string = '';

  /** A torrent stalled this long (seconds) without metadata or seeds is reported dead. */
  @IsInt()
  @Min(1)
  @Max(30 * 86_400)
  DEAD_TORRENT_AFTER_S: number = 3600;

  @IsInt()
  @Min(100)
  @Max(120_000)
  TORRENT_FETCH_TIMEOUT_MS: number = 10_000;

  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  TORRENT_FETCH_MAX_BYTES: number = 10 * 1024 * 1024;
}

/** Variables for which an empty value means something; for all others empty means "use the default". */
const EMPTY_IS_A_VALUE = new Set<string>([
  'CORE_SERVICE_URL',
  'QBITTORRENT_USER',
  'QBITTORRENT_PASSWORD',
  'API_TOKEN',
  'TORRENT_FETCH_PROXY',
]);

/** Validates the raw environment and returns it typed, with defaults applied. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const given: Record<string, unknown> = {};
  for (const name of known) {
    const value = raw[name];
    if (value === undefined || (value === '' && !EMPTY_IS_A_VALUE.has(name))) continue;
    given[name] = value;
  }
  if (given.PORT === undefined && given.SERVICE_PORT !== undefined) given.PORT = given.SERVICE_PORT;
  const env = plainToInstance(EnvironmentVariables, given, { enableImplicitConversion: true });
  const errors = validateSync(env, { forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidEnvironmentError(errors.map(describe));
  return env;
}

/** `true`/`false` in any case; anything else is left for @IsBoolean to refuse by name. */
function parseBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return value;
}

function describe(error: ValidationError): string {
  // class-validator's default messages name the property and the rule, never the value.
  return Object.values(error.constraints ?? {}).join(', ') || `${error.property} is invalid`;
}
