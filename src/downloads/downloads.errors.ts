import { InvalidRequestError } from '../common/common.errors.js';
import type { HasHttpStatus } from '../common/http-status.js';
import { INFO_HASH_FORMS } from '../qbittorrent/identity/info-hash.js';
import { type Unreachable, unavailableReason } from '../qbittorrent/pool/pool.errors.js';
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

/** qBittorrent said it added the torrent, twice, and does not list it. */
export class UnconfirmedAddError extends Error implements HasHttpStatus {
  readonly httpStatus = 500;

  constructor(hash: string) {
    super(unconfirmedReason(hash));
    this.name = 'UnconfirmedAddError';
  }
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
  constructor(
    readonly status: 'unsupported' | 'error',
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'DownloadFailedError';
  }
}

/**
 * A torrent of a batch whose qBittorrent stopped answering right after it listed it, before it had
 * time to save it: after a restart it may not hold it.
 */
export class UnsavedAddError extends Error implements HasHttpStatus {
  readonly httpStatus = 500;

  constructor(instance: string, hash: string, cause: string) {
    super(
      `${instance} stopped answering right after it listed torrent ${hash}, before it had time to ` +
        `save it (${cause}): it may not hold it once it is back; send it again later`,
    );
    this.name = 'UnsavedAddError';
  }
}

/** A torrent no reachable qBittorrent holds, while some cannot be asked: it may be on one of them. */
export class TorrentUnavailableError extends Error implements HasHttpStatus {
  readonly httpStatus = 503;

  constructor(hash: string, unreachable: readonly Unreachable[]) {
    super(
      `torrent ${hash} may be on a qBittorrent that cannot be asked now: ${unavailableReason(unreachable)}`,
    );
    this.name = 'TorrentUnavailableError';
  }
}
