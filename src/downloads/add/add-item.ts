import type { AddOptions } from '../../qbittorrent/wire/qbittorrent.types.js';
import type { DownloadLink } from './download-link.js';
import type { DownloadOutcome } from './download-outcome.js';

/** One link to add, as its request gave it. */
export interface AddRequest {
  /** The batch item's url as given, for its result (empty for POST /download). */
  url: string;
  linkId: number | undefined;
  link: DownloadLink;
  options: AddOptions;
}

/** An add that the list of the instance holding its torrent shows. */
export interface Confirmed {
  /** The instance that holds it (`host:port`). */
  label: string;
  /** The id qBittorrent holds it under. */
  hash: string;
  /** It held the torrent before this add. */
  alreadyPresent: boolean;
  /** When the look that showed it listed answered (performance.now()). */
  listedAt: number;
}

/** Where one add ended. */
export interface AddResult {
  url: string;
  linkId: number | undefined;
  /** Null when its request was refused before its link was read. */
  link: DownloadLink | null;
  outcome: DownloadOutcome;
  /** What failed, for the log. */
  error?: unknown;
  /** For a new torrent, when its instance was last seen listing it (performance.now()). */
  listedAt?: number;
}
