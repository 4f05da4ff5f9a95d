/** qBittorrent's first config cannot be written: bad credentials, PUID/PGID, or an unwritable folder. */
export class QbittorrentConfigError extends Error {
  override readonly name = 'QbittorrentConfigError';
}
