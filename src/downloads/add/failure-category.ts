import { UnauthorizedError } from '../../auth/auth.errors.js';
import {
  AddMayHaveReachedError,
  AllDrainingError,
  AllInstancesFailedError,
  HolderDownError,
  NoRoomError,
} from '../../qbittorrent/pool/pool.errors.js';
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentProtocolError,
  QbittorrentTimeoutError,
  QbittorrentTlsError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryAbortedError, RetryFailedError } from '../../retry/retry.errors.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import { UnconfirmedAddError, UnsavedAddError } from '../downloads.errors.js';

/**
 * Why an add failed, in a few fixed words for metrics and alerts (downloader_download_failures_total):
 * - `auth_refused`: qBittorrent refused the login or the session (wrong credentials, a ban, the
 *   login race): retrying does not mend it;
 * - `unreachable`: no qBittorrent answered (down, refused connections, TLS);
 * - `timeout`: qBittorrent did not answer in time, or the batch ran out of time;
 * - `no_room`: no qBittorrent has room for it;
 * - `refused`: qBittorrent answered, and refused the torrent or the call;
 * - `unconfirmed`: sent, and not seen held (or not saved) when looked for;
 * - `unsupported`: the request or its link is at fault (what we will not send);
 * - `torrent_url`: the site of a .torrent URL failed;
 * - `draining`: every qBittorrent is draining;
 * - `api_token`: the request had no valid API token;
 * - `other`: anything else (a bug among them).
 */
export const FAILURE_CATEGORIES = [
  'auth_refused',
  'unreachable',
  'timeout',
  'no_room',
  'refused',
  'unconfirmed',
  'unsupported',
  'torrent_url',
  'draining',
  'api_token',
  'other',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

/** The category of `error`; `unsupported` whenever its status says the request was at fault. */
export function categoryOf(error: unknown, unsupported: boolean): FailureCategory {
  if (unsupported) return 'unsupported';
  const cause = error instanceof RetryFailedError ? error.cause : error;
  if (cause instanceof QbittorrentAuthError) return 'auth_refused';
  if (
    cause instanceof QbittorrentUnavailableError ||
    cause instanceof QbittorrentTlsError ||
    cause instanceof AllInstancesFailedError ||
    cause instanceof HolderDownError
  ) {
    return 'unreachable';
  }
  if (cause instanceof QbittorrentTimeoutError || cause instanceof RetryAbortedError) {
    return 'timeout';
  }
  if (cause instanceof NoRoomError) return 'no_room';
  if (
    cause instanceof TorrentRejectedError ||
    cause instanceof QbittorrentHttpError ||
    cause instanceof QbittorrentProtocolError
  ) {
    return 'refused';
  }
  if (
    cause instanceof UnconfirmedAddError ||
    cause instanceof UnsavedAddError ||
    cause instanceof AddMayHaveReachedError
  ) {
    return 'unconfirmed';
  }
  if (cause instanceof TorrentFetchError) return 'torrent_url';
  if (cause instanceof AllDrainingError) return 'draining';
  if (cause instanceof UnauthorizedError) return 'api_token';
  return 'other';
}
