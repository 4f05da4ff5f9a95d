import { splitList } from '../../common/text.js';
import { joinPath } from '../../qbittorrent/wire/save-path.js';
import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';
import { linkIdFromTags } from '../link-tag.js';
import { livenessOf } from '../torrents/torrent-liveness.js';
import {
  stateOf,
  statusOf,
  type TorrentState,
  type TorrentStatus,
} from '../torrents/torrent-state.js';

/** qBittorrent's "no estimate" ETA: 100 days. */
const ETA_UNKNOWN = 8_640_000;

/** What a status view is judged against. */
export interface StatusContext {
  /** The hash as the caller wrote it, answered back as `hash`; qBittorrent's id by default. */
  requested?: string;
  /** A torrent stalled this long without metadata or seeds is dead. */
  deadAfterS: number;
  /** Now, in epoch seconds. */
  nowS: number;
}

/** What GET /downloads reports of one torrent; see TorrentStatusDto for each field. */
/**
 * A hash answered without a listing: `not_found` (no qBittorrent holds it, or it is not a hash),
 * `unavailable` (it may be on a qBittorrent that cannot be asked now: a poller keeps its record).
 */
export type UnlistedStatus = 'not_found' | 'unavailable';

export interface TorrentStatusView {
  hash: string;
  info_hash: string | null;
  status: TorrentStatus | UnlistedStatus;
  state: TorrentState | UnlistedStatus;
  progress: number;
  size: number;
  content_path: string | null;
  files: string[];
  name: string | null;
  downloaded: number | null;
  dlspeed: number | null;
  eta: number | null;
  save_path: string | null;
  category: string | null;
  tags: string[] | null;
  link_id: number | null;
  seeds: number | null;
  availability: number | null;
  stalled_since: string | null;
  dead: boolean;
  reason: string | null;
}

/**
 * One torrent, as the core service can read it whatever qBittorrent reports: a number for
 * `progress`, a non-negative integer for `size`, a list of absolute paths for `files` (given
 * relative to the save path, as `torrents/files` names them).
 * `requested` is the hash as the caller wrote it, answered back as `hash` so the caller finds it.
 */
export function toStatusView(
  torrent: TorrentInfo,
  files: readonly string[],
  context: StatusContext,
): TorrentStatusView {
  const tags = splitList(torrent.tags);
  const state = stateOf(torrent.state);
  const { seeds, availability, stalledSince, dead } = livenessOf(
    torrent,
    context.deadAfterS,
    context.nowS,
  );
  return {
    hash: context.requested ?? torrent.hash,
    info_hash: torrent.hash,
    status: statusOf(state),
    state,
    progress: Number.isFinite(torrent.progress) ? Math.min(Math.max(torrent.progress, 0), 1) : 0,
    size: byteCount(torrent.size),
    content_path: torrent.content_path || contentPathOf(torrent.save_path, files),
    files: files.map((name) => joinPath(torrent.save_path, name)),
    name: torrent.name,
    downloaded: byteCount(torrent.completed),
    dlspeed: byteCount(torrent.dlspeed),
    eta: torrent.eta >= ETA_UNKNOWN || torrent.eta < 0 ? null : torrent.eta,
    save_path: torrent.save_path,
    category: torrent.category,
    tags,
    link_id: linkIdFromTags(tags),
    seeds,
    availability,
    stalled_since: stalledSince === null ? null : new Date(stalledSince * 1000).toISOString(),
    dead,
    reason: null,
  };
}

/** A hash qBittorrent does not hold (or, with a `reason`, that is not a hash at all). */
export function notFoundView(
  requested: string,
  infoHash: string | null,
  reason: string | null = null,
): TorrentStatusView {
  return unlistedView('not_found', requested, infoHash, reason);
}

/**
 * A hash no reachable qBittorrent holds while one that may hold it cannot be asked: every field
 * the core decodes has its type (progress 0, size 0, no files), and the status is one it skips.
 */
export function unavailableView(
  requested: string,
  infoHash: string,
  reason: string,
): TorrentStatusView {
  return unlistedView('unavailable', requested, infoHash, reason);
}

function unlistedView(
  status: UnlistedStatus,
  requested: string,
  infoHash: string | null,
  reason: string | null,
): TorrentStatusView {
  return {
    hash: requested,
    info_hash: infoHash,
    status,
    state: status,
    progress: 0,
    size: 0,
    content_path: null,
    files: [],
    name: null,
    downloaded: null,
    dlspeed: null,
    eta: null,
    save_path: null,
    category: null,
    tags: null,
    link_id: null,
    seeds: null,
    availability: null,
    stalled_since: null,
    dead: false,
    reason,
  };
}

/**
 * Where a torrent's content is, from its files, as qBittorrent computes `content_path` (which it
 * reports only from WebAPI 2.6.1, 4.3): a single file's path; else the root folder all its files
 * share; else the save path. Null while the files are not known (no metadata yet).
 */
function contentPathOf(savePath: string, files: readonly string[]): string | null {
  if (files.length === 0) return null;
  if (files.length === 1) return joinPath(savePath, files[0]);
  const [root] = files[0].split(/[\\/]/, 1);
  const rooted = files.every((file) => file.startsWith(`${root}/`) || file.startsWith(`${root}\\`));
  return rooted ? joinPath(savePath, root) : savePath;
}

/** qBittorrent reports -1 for some sizes it does not know yet; the core reads them as unsigned. */
function byteCount(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
