/** How an instance is named among several: by its address (never with its credentials). */
export function instanceName(label: string): string {
  return `qBittorrent at ${label}`;
}

/**
 * What differs between driving one qBittorrent and several, decided once, when the pool is built
 * (QbittorrentPool): nothing outside the pool asks how many there are.
 */
export interface PoolMode {
  /** How messages name an instance. */
  name(label: string): string;
  /**
   * Whether an instance has no other to stand in for it. Then a failure of it as a whole
   * (unreachable, silent, refusing the login) is tried again on it, with the retry policy, and,
   * when it persists, answered as it is; and it is asked even while known down. Otherwise such a
   * failure is not retried: an add goes to the next instance, a listing reports it unreachable,
   * and a known-down instance is skipped until the background look finds it back.
   */
  alone: boolean;
  /**
   * Whether each instance is kept in view in the background from the start (its free space, what
   * it holds and still needs): placement weighs them, and ownership is learnt from them. One
   * qBittorrent is kept in view only once /metrics is scraped, for the metrics alone.
   */
  keepsInView: boolean;
}

/**
 * One qBittorrent: the calls and answers of a single qBittorrent, nothing in the background (but
 * its view once /metrics is scraped).
 */
export const ONE_QBITTORRENT: PoolMode = {
  name: () => 'qBittorrent',
  alone: true,
  keepsInView: false,
};

/** Several qBittorrents behind one downloader (docs/several-qbittorrents.md). */
export const SEVERAL_QBITTORRENTS: PoolMode = {
  name: instanceName,
  alone: false,
  keepsInView: true,
};
