import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';

/** States in which a torrent waits for peers that do not come. */
const STALLED_STATES = new Set(['stalledDL', 'metaDL', 'forcedMetaDL']);
const METADATA_STATES = new Set(['metaDL', 'forcedMetaDL']);

/** The fields of a torrent that say whether it is stalled, and dead. */
export type LivenessFields = Pick<TorrentInfo, 'state' | 'added_on' | 'downloaded'> &
  Partial<Pick<TorrentInfo, 'num_seeds' | 'num_complete' | 'availability' | 'last_activity'>>;

/** Whether a torrent gets anywhere. */
export interface Liveness {
  /** Seeds it is connected to, or that trackers report, whichever is more. */
  seeds: number;
  availability: number;
  /** Since when (epoch seconds) it waits for peers; null when it does not. */
  stalledSince: number | null;
  /** Stalled for `deadAfterS` or longer, without metadata or without any seed. */
  dead: boolean;
}

/**
 * Whether `torrent` is stalled, and dead after `deadAfterS` of it (as GET /downloads and /metrics
 * judge it). Stateless: qBittorrent keeps when a piece last moved (or, before any, when it was
 * added).
 */
export function livenessOf(torrent: LivenessFields, deadAfterS: number, nowS: number): Liveness {
  const seeds = Math.max(torrent.num_seeds ?? 0, torrent.num_complete ?? 0, 0);
  const availability = Math.max(torrent.availability ?? 0, 0);
  // Before any byte came in there was no activity, whatever `last_activity` says: on libtorrent 1.2
  // (4.2.5) it reads "now" until then.
  const lastActivity = torrent.downloaded > 0 ? (torrent.last_activity ?? 0) : 0;
  const stalledSince = STALLED_STATES.has(torrent.state)
    ? Math.max(torrent.added_on, lastActivity)
    : null;
  const dead =
    stalledSince !== null &&
    nowS - stalledSince >= deadAfterS &&
    (METADATA_STATES.has(torrent.state) || (seeds === 0 && availability < 1));
  return { seeds, availability, stalledSince, dead };
}
