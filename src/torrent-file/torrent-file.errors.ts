import type { MaybeTransient } from '../retry/transient.js';
import type { HasHttpStatus } from '../common/http-status.js';

/**
 * A .torrent URL could not be fetched. Transient failures (timeouts, 5xx) are worth a retry and
 * answer 502 (the site failed); the others are the link's fault and answer 400.
 */
export class TorrentFetchError extends Error implements MaybeTransient, HasHttpStatus {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'TorrentFetchError';
  }

  get httpStatus(): number {
    return this.transient ? 502 : 400;
  }

  static forbiddenAddress(location: string, reason: string): TorrentFetchError {
    return new TorrentFetchError(
      `refused to fetch ${location}: ${reason} (set TORRENT_FETCH_ALLOW_PRIVATE=true to allow)`,
      false,
    );
  }

  static httpStatus(location: string, status: number): TorrentFetchError {
    return new TorrentFetchError(
      `fetching ${location} failed: the server answered HTTP ${status}`,
      status >= 500 || status === 429,
    );
  }

  static tooLarge(location: string, maxBytes: number): TorrentFetchError {
    return new TorrentFetchError(
      `fetching ${location} failed: the file is larger than ${maxBytes} bytes`,
      false,
    );
  }

  static tooManyRedirects(location: string, maxRedirects: number): TorrentFetchError {
    return new TorrentFetchError(
      `fetching ${location} failed: more than ${maxRedirects} redirects (a redirect loop?)`,
      false,
    );
  }

  static timeout(location: string, timeoutMs: number): TorrentFetchError {
    return new TorrentFetchError(
      `fetching ${location} failed: no complete answer within ${timeoutMs} ms`,
      true,
    );
  }

  static unreachable(location: string, code: string): TorrentFetchError {
    // A name that does not resolve will not resolve a second later either.
    return new TorrentFetchError(
      `fetching ${location} failed: the server is unreachable (${code})`,
      code !== 'ENOTFOUND',
    );
  }

  static notATorrent(location: string, reason: string): TorrentFetchError {
    return new TorrentFetchError(`${location} is not a usable .torrent file: ${reason}`, false);
  }
}

/** Why some bytes are not a .torrent file qBittorrent would take; the message says it precisely. */
export class InvalidTorrentFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTorrentFileError';
  }
}
