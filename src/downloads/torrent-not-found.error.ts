import type { HasHttpStatus } from '../common/http-status.js';

/** The torrent is not in qBittorrent (which would have answered 200 and done nothing). */
export class TorrentNotFoundError extends Error implements HasHttpStatus {
  readonly httpStatus = 404;

  constructor(readonly hash: string) {
    super(`qBittorrent does not hold torrent ${hash}`);
    this.name = 'TorrentNotFoundError';
  }
}
