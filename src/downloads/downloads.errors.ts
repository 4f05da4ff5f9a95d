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

/** A qBittorrent of several that could not be asked, and why. */
export interface Unreachable {
  label: string;
  reason: string;
}

/** Why a torrent's status is not known now: the qBittorrents that might hold it cannot be asked. */
export function unavailableReason(unreachable: readonly Unreachable[]): string {
  return unreachable.map(({ label, reason }) => `qBittorrent at ${label}: ${reason}`).join('; ');
}

/** No qBittorrent of several could take a torrent: each was tried, each failed as it says. */
export class AllInstancesFailedError extends Error implements HasHttpStatus {
  readonly httpStatus = 500;

  constructor(
    readonly hash: string,
    failures: readonly Unreachable[],
  ) {
    super(`no qBittorrent could take torrent ${hash}: ${unavailableReason(failures)}`);
    this.name = 'AllInstancesFailedError';
  }
}

/**
 * A qBittorrent of several stopped answering while it was adding a torrent (sent, no answer; or
 * answered, then not there to confirm it): it may hold the torrent once it is back, so the torrent
 * is not placed elsewhere, where it would become a second copy.
 */
export class AddMayHaveReachedError extends Error implements HasHttpStatus {
  readonly httpStatus = 500;

  constructor(label: string, cause: Error) {
    super(
      `qBittorrent at ${label} stopped answering while adding the torrent (${cause.message}): ` +
        'not added elsewhere, which would make a second copy once it is back; send it again later',
    );
    this.name = 'AddMayHaveReachedError';
  }
}

/**
 * A torrent added again while every qBittorrent that holds it is down: it is not placed elsewhere,
 * where it would become a second copy once the holder is back.
 */
export class HolderDownError extends Error implements HasHttpStatus {
  readonly httpStatus = 500;

  constructor(hash: string, holders: readonly Unreachable[]) {
    super(
      `torrent ${hash} is held by a qBittorrent that cannot be reached now (${unavailableReason(holders)}): ` +
        'not added elsewhere, which would make a second copy once it is back; send it again later',
    );
    this.name = 'HolderDownError';
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
