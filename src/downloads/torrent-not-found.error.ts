/** The torrent is not in qBittorrent (which would have answered 200 and done nothing). */
export class TorrentNotFoundError extends Error {
  constructor(readonly hash: string) {
    super(`qBittorrent does not hold torrent ${hash}`);
    this.name = 'TorrentNotFoundError';
  }
}
