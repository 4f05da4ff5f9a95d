/**
 * The rust-bangumi core service's view of this downloader, written as strictly as its serde types
 * decode (shared/src/models.rs: DownloadStatusItem, DownloadResultItem, CancelResultItem,
 * ServiceRegistration). serde ignores unknown fields, accepts a missing or null `Option`, and
 * fails the whole answer on anything else: one bad entry and the core marks every download of
 * this downloader `downloader_error`. Each decoder throws where serde would.
 */

/** `DownloadStatusItem` of the core's poll of `GET /downloads?hashes=`. */
export interface DownloadStatusItem {
  hash: string;
  status: string;
  progress: number;
  size: number;
  content_path: string | null;
  files: string[];
}

/** `DownloadResultItem` of `POST /downloads`. */
export interface DownloadResultItem {
  url: string;
  hash: string | null;
  status: string;
  reason: string | null;
}

/** `CancelResultItem` of `POST /downloads/cancel`. */
export interface CancelResultItem {
  hash: string;
  status: string;
}

export interface ServiceRegistration {
  service_type: 'fetcher' | 'downloader' | 'viewer' | 'metadata';
  service_name: string;
  host: string;
  port: number;
  capabilities: {
    download_endpoint: string | null;
    supported_download_types: ('magnet' | 'torrent' | 'http')[];
  };
}

/** The states the core keeps polling; `completed` and `error` end a download; all else is skipped. */
export const CORE_PROGRESS_STATUSES = [
  'downloading',
  'stalledDL',
  'metaDL',
  'queuedDL',
  'checkingDL',
  'forcedDL',
  'allocating',
  'moving',
];

export class SerdeError extends Error {}

export function decodeStatusQueryResponse(body: unknown): DownloadStatusItem[] {
  return vec(field(object(body, '$'), 'statuses', '$'), '$.statuses', (item, path) => {
    const entry = object(item, path);
    return {
      hash: string(field(entry, 'hash', path), `${path}.hash`),
      status: string(field(entry, 'status', path), `${path}.status`),
      progress: f64(field(entry, 'progress', path), `${path}.progress`),
      size: u64(field(entry, 'size', path), `${path}.size`),
      content_path: optionString(entry.content_path, `${path}.content_path`),
      files: vec(field(entry, 'files', path), `${path}.files`, string),
    };
  });
}

export function decodeBatchDownloadResponse(body: unknown): DownloadResultItem[] {
  return vec(field(object(body, '$'), 'results', '$'), '$.results', (item, path) => {
    const entry = object(item, path);
    return {
      url: string(field(entry, 'url', path), `${path}.url`),
      hash: optionString(entry.hash, `${path}.hash`),
      status: string(field(entry, 'status', path), `${path}.status`),
      reason: optionString(entry.reason, `${path}.reason`),
    };
  });
}

export function decodeBatchCancelResponse(body: unknown): CancelResultItem[] {
  return vec(field(object(body, '$'), 'results', '$'), '$.results', (item, path) => {
    const entry = object(item, path);
    return {
      hash: string(field(entry, 'hash', path), `${path}.hash`),
      status: string(field(entry, 'status', path), `${path}.status`),
    };
  });
}

export function decodeServiceRegistration(body: unknown): ServiceRegistration {
  const registration = object(body, '$');
  const capabilities = object(field(registration, 'capabilities', '$'), '$.capabilities');
  const port = u64(field(registration, 'port', '$'), '$.port');
  if (port > 65535) throw new SerdeError(`$.port: ${port} does not fit a u16`);
  return {
    service_type: oneOf(field(registration, 'service_type', '$'), '$.service_type', [
      'fetcher',
      'downloader',
      'viewer',
      'metadata',
    ] as const),
    service_name: string(field(registration, 'service_name', '$'), '$.service_name'),
    host: string(field(registration, 'host', '$'), '$.host'),
    port,
    capabilities: {
      download_endpoint: optionString(capabilities.download_endpoint, '$.download_endpoint'),
      // #[serde(default)]: a missing list is empty.
      supported_download_types:
        capabilities.supported_download_types === undefined
          ? []
          : vec(capabilities.supported_download_types, '$.supported_download_types', (v, p) =>
              oneOf(v, p, ['magnet', 'torrent', 'http'] as const),
            ),
    },
  };
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerdeError(`${path}: invalid type: ${describe(value)}, expected a map`);
  }
  return value as Record<string, unknown>;
}

function field(record: Record<string, unknown>, name: string, path: string): unknown {
  if (!(name in record)) throw new SerdeError(`${path}: missing field \`${name}\``);
  return record[name];
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new SerdeError(`${path}: invalid type: ${describe(value)}, expected a string`);
  }
  return value;
}

function optionString(value: unknown, path: string): string | null {
  return value === undefined || value === null ? null : string(value, path);
}

function f64(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SerdeError(`${path}: invalid type: ${describe(value)}, expected f64`);
  }
  return value;
}

function u64(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SerdeError(`${path}: invalid value: ${describe(value)}, expected u64`);
  }
  return value;
}

function vec<T>(value: unknown, path: string, item: (value: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) {
    throw new SerdeError(`${path}: invalid type: ${describe(value)}, expected a sequence`);
  }
  return value.map((entry, i) => item(entry, `${path}[${i}]`));
}

function oneOf<T extends string>(value: unknown, path: string, variants: readonly T[]): T {
  if (typeof value !== 'string' || !variants.includes(value as T)) {
    throw new SerdeError(`${path}: unknown variant ${describe(value)}`);
  }
  return value as T;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a sequence' : JSON.stringify(value);
}
