import { mapError } from '../../common/error-mapping.js';
import { categoryOf, type FailureCategory } from './failure-category.js';

/** The three outcomes of asking for a download, as the Rust service named them. */
export const DOWNLOAD_STATUSES = ['accepted', 'unsupported', 'error'] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];

export interface DownloadAccepted {
  status: 'accepted';
  /** The id qBittorrent holds the torrent under. */
  hash: string;
  /** qBittorrent already held it. */
  alreadyPresent: boolean;
  /** The qBittorrent that holds it (`host:port`). */
  instance: string;
  /** Accepted, but likely to go nowhere, and why. */
  warning?: string;
}

export interface DownloadFailure {
  status: 'unsupported' | 'error';
  /** The torrent id, when it was known before the failure (a magnet's). */
  hash: string | null;
  error: string;
  httpStatus: number;
  /** A failure nobody declared a status for: a bug, logged with its stack. */
  unexpected: boolean;
  /** Why, in a few fixed words: for metrics, never in an answer. */
  category: FailureCategory;
}

export type DownloadOutcome = DownloadAccepted | DownloadFailure;

/** What we will not send: the request or its link is at fault (400, or a body over the limit). */
export function isUnsupported(httpStatus: number): boolean {
  return httpStatus === 400 || httpStatus === 413;
}

/**
 * How a failure is told apart: `unsupported` for what we refuse to send, `error` for everything
 * else (qBittorrent or a site failed, a missing token, a bug).
 */
export function failureOf(error: unknown, hash: string | null = null): DownloadFailure {
  const mapped = mapError(error);
  const unsupported = isUnsupported(mapped.status);
  return {
    status: unsupported ? 'unsupported' : 'error',
    hash,
    error: mapped.message,
    httpStatus: mapped.status,
    unexpected: mapped.unexpected,
    category: categoryOf(error, unsupported),
  };
}

/**
 * An item of a batch given up before it was tried: what it needs known down (the category of that
 * outage), or no time left (`timeout`).
 */
export function notAttempted(
  reason: string,
  hash: string | null,
  category: FailureCategory,
): DownloadFailure {
  return { status: 'error', hash, error: reason, httpStatus: 503, unexpected: false, category };
}
