import { linkIdFromTags } from '../download/link-tag.js';
import type { TorrentStatusDto } from './dto/torrent-status.dto.js';
import type { TorrentFile, TorrentInfo } from '../qbittorrent/qbittorrent.types.js';

export const TORRENT_STATUSES = [
  'downloading',
  'completed',
  'paused',
  'queued',
  'checking',
  'error',
  'moving',
  'metadata',
  'unknown',
] as const;
export type TorrentStatus = (typeof TORRENT_STATUSES)[number];

/**
 * Every state string of qBittorrent 4.x and 5.x, to the status the core service reads. A torrent
 * that finished downloading is `completed` whether it seeds, waits or was paused afterwards: for
 * the core, the episode is there.
 */
const STATUS_OF_STATE: Record<string, TorrentStatus> = {
  downloading: 'downloading',
  forcedDL: 'downloading',
  stalledDL: 'downloading',
  allocating: 'downloading',
  metaDL: 'metadata',
  forcedMetaDL: 'metadata',
  pausedDL: 'paused', // 4.x
  stoppedDL: 'paused', // 5.x
  queuedDL: 'queued',
  uploading: 'completed',
  stalledUP: 'completed',
  forcedUP: 'completed',
  queuedUP: 'completed',
  pausedUP: 'completed', // 4.x
  stoppedUP: 'completed', // 5.x
  checkingDL: 'checking',
  checkingUP: 'checking',
  checkingResumeData: 'checking',
  error: 'error',
  missingFiles: 'error',
  moving: 'moving',
  unknown: 'unknown',
};

export function statusOf(state: string): TorrentStatus {
  return STATUS_OF_STATE[state] ?? 'unknown';
}

/** Whether qBittorrent has applied a pause (4.x `paused*`, 5.x `stopped*`). */
export function isPausedState(state: string): boolean {
  return /^(paused|stopped)(DL|UP)$/.test(state);
}

/** qBittorrent's "no estimate" ETA: 100 days. */
const ETA_UNKNOWN = 8_640_000;

export function toStatusView(torrent: TorrentInfo, files: TorrentFile[] | null): TorrentStatusDto {
  const tags = splitTags(torrent.tags);
  return {
    hash: torrent.hash,
    status: statusOf(torrent.state),
    name: torrent.name,
    progress: torrent.progress,
    size: torrent.size,
    downloaded: torrent.completed,
    dlspeed: torrent.dlspeed,
    eta: torrent.eta >= ETA_UNKNOWN ? null : torrent.eta,
    save_path: torrent.save_path,
    content_path: torrent.content_path || null,
    category: torrent.category,
    tags,
    link_id: linkIdFromTags(tags),
    files: files?.map(({ name, size, progress }) => ({ name, size, progress })) ?? null,
  };
}

export function notFoundView(hash: string): TorrentStatusDto {
  return {
    hash,
    status: 'not_found',
    name: null,
    progress: null,
    size: null,
    downloaded: null,
    dlspeed: null,
    eta: null,
    save_path: null,
    content_path: null,
    category: null,
    tags: null,
    link_id: null,
    files: null,
  };
}

function splitTags(tags: string): string[] {
  return tags
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}
