import type { HasHttpStatus } from '../common/http-status.js';
import { InvalidRequestError } from '../common/common.errors.js';
import { INFO_HASH_FORMS } from '../qbittorrent/info-hash.js';
import type { DownloadFailure } from './download-outcome.js';
import { BATCH_DEADLINE_MS } from './downloads.limits.js';

/** The link is neither a magnet nor an http(s) URL: the Rust service's words for it. */
export const UNSUPPORTED_LINK =
  'Only magnet links and http(s) links to .torrent files are supported';

/** Why an entry of a poll or a cancel is answered without asking qBittorrent. */
export const NOT_AN_INFO_HASH = `not an info-hash (${INFO_HASH_FORMS})`;

/** A `:hash` route parameter that is no torrent's hash. */
export function invalidHashParameter(): InvalidRequestError {
  return new InvalidRequestError(`hash is ${NOT_AN_INFO_HASH}`);
}

/** Why a batch item was given up: the batch's deadline passed. */
export function deadlineReason(what: string): string {
  return `${what}: the batch reached its ${BATCH_DEADLINE_MS / 1000} s deadline (send it again)`;
}

/** qBittorrent said it added the torrent, twice, and does not list it. */
export function unconfirmedReason(hash: string): string {
  return `qBittorrent answered that it added torrent ${hash}, twice, but does not hold it`;
}

/** Why a link is not one we can download; the message says it precisely. */
export class InvalidLinkError extends Error implements HasHttpStatus {
  readonly httpStatus = 400;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidLinkError';
  }

  static unsupported(): InvalidLinkError {
    return new InvalidLinkError(UNSUPPORTED_LINK);
  }

  static notAUrl(): InvalidLinkError {
    return new InvalidLinkError('url is not a valid http(s) URL');
  }

  static withCredentials(): InvalidLinkError {
    // They would end up in logs and error messages; trackers put passkeys in the query instead.
    return new InvalidLinkError('url must not carry a user name or password');
  }
}

/** The torrent is not in qBittorrent (which would have answered 200 and done nothing). */
export class TorrentNotFoundError extends Error implements HasHttpStatus {
  readonly httpStatus = 404;

  constructor(readonly hash: string) {
    super(`qBittorrent does not hold torrent ${hash}`);
    this.name = 'TorrentNotFoundError';
  }
}

/** POST /download did not succeed; the failure is already logged and counted. */
export class DownloadFailedError extends Error implements HasHttpStatus {
  readonly httpStatus: number;

  constructor(readonly failure: DownloadFailure) {
    super(failure.error);
    this.name = 'DownloadFailedError';
    this.httpStatus = failure.httpStatus;
  }
}
