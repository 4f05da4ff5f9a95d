import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';

/** Where a torrent is, finely: what a person looking at qBittorrent would want to know. */
export const TORRENT_STATES = [
  'downloading',
  'metadata',
  'queued',
  'checking',
  'moving',
  'paused',
  'completed',
  'error',
  'unknown',
] as const;
export type TorrentState = (typeof TORRENT_STATES)[number];

/**
 * What the core service acts on: `completed` (take the files), `error` (give up), `downloading`
 * (keep polling) and anything else it skips. Its status poll knows no other words.
 */
export const TORRENT_STATUSES = ['downloading', 'completed', 'paused', 'error', 'unknown'] as const;
export type TorrentStatus = (typeof TORRENT_STATUSES)[number];

/**
 * Every state string of qBittorrent 4.x and 5.x. A torrent that finished downloading is
 * `completed` whether it seeds, waits or was paused afterwards: for the core, the episode is there.
 * One being checked or moved is not: its files are not where they will be.
 */
const STATE_OF: Record<string, TorrentState> = {
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

const STATUS_OF: Record<TorrentState, TorrentStatus> = {
  downloading: 'downloading',
  metadata: 'downloading',
  queued: 'downloading',
  checking: 'downloading',
  moving: 'downloading',
  paused: 'paused',
  completed: 'completed',
  error: 'error',
  unknown: 'unknown',
};

export function stateOf(qbittorrentState: string): TorrentState {
  return STATE_OF[qbittorrentState] ?? 'unknown';
}

export function statusOf(state: TorrentState): TorrentStatus {
  return STATUS_OF[state];
}

/** Whether qBittorrent has applied a pause (4.x `paused*`, 5.x `stopped*`). */
export function isPausedState(state: string): boolean {
  return /^(paused|stopped)(DL|UP)$/.test(state);
}

/** Whether qBittorrent knows the torrent's files: a magnet has none until its metadata arrives. */
export function hasMetadata(torrent: TorrentInfo): boolean {
  return stateOf(torrent.state) !== 'metadata';
}
