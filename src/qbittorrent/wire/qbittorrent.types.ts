import type { TorrentIdentity } from '../identity/info-hash.js';

/**
 * The fields of a torrent this service reads from `torrents/info`.
 * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#get-torrent-list
 */
export interface TorrentInfo {
  /** The torrent id: 40 lowercase hex characters. */
  hash: string;
  name: string;
  /** qBittorrent's state string, e.g. `downloading`, `pausedDL` (4.x) or `stoppedDL` (5.x). */
  state: string;
  /** 0 to 1. */
  progress: number;
  /** Bytes selected for download. */
  size: number;
  total_size: number;
  /** Bytes of the selected content we have. */
  completed: number;
  /** Bytes transferred in, waste included. */
  downloaded: number;
  amount_left: number;
  /** Bytes per second. */
  dlspeed: number;
  /** Seconds; 8640000 means unknown. */
  eta: number;
  save_path: string;
  /** Absent before WebAPI 2.6.1 (qBittorrent 4.2). */
  content_path?: string;
  category: string;
  /** Comma-separated. */
  tags: string;
  added_on: number;
  completion_on: number;
  /** Seeds connected to. */
  num_seeds?: number;
  /** Seeds in the swarm, as trackers report them (-1 or 0 when unknown). */
  num_complete?: number;
  /** Distributed copies among the peers connected to; below 1, no complete copy is reachable. */
  availability?: number;
  /** Epoch seconds of the last piece sent or received (the time it was added, before any). */
  last_activity?: number;
}

/** One file of a torrent, from `torrents/files`. */
export interface TorrentContent {
  name: string;
  size: number;
  progress: number;
}

export interface AddOptions {
  savePath?: string;
  category?: string;
  tags?: string[];
  /** Add it stopped; by default it starts, whatever qBittorrent's own default. */
  paused?: boolean;
}

/**
 * What qBittorrent answered to an add: that it added the torrent (`Ok.`, a receipt, 202), or not
 * (`Fails.`, 409, nothing in the receipt, an unreadable answer), which it also answers for a
 * torrent it holds already: then its list decides, and `refusal` is the failure if it is absent.
 */
export type AddAnswer =
  | {
      /** The id qBittorrent holds the torrent under. */
      hash: string;
      added: true;
      /**
       * Tags this qBittorrent ignores on an add (before WebAPI 2.6.2): to put on with
       * `torrents/addTags` once it lists the torrent.
       */
      tagsLater?: string[];
    }
  | { hash: string; added: false; refusal: Error };

export interface AddedTorrent {
  /** The id qBittorrent holds the torrent under. */
  hash: string;
  /** True when qBittorrent already held it: the add was a no-op and counts as success. */
  alreadyPresent: boolean;
  /** The qBittorrent that holds it (`host:port`). */
  instance: string;
}

export interface TorrentQuery {
  hashes?: string[];
  category?: string;
  tag?: string;
}

/** A .torrent file to upload: the id qBittorrent will give its torrent, and the file as fetched. */
export interface TorrentUpload extends TorrentIdentity {
  bytes: Buffer;
}

export interface QbittorrentVersion {
  /** The application version, e.g. `v4.5.2`. */
  app: string;
  /** The WebUI API version, e.g. `2.8.19`. */
  webApi: string;
}

/**
 * The qBittorrent preferences (`app/preferences`) that decide whether episodes get lost, in the
 * names of 4.x and 5.x alike. Only what this service reads; unknown versions may lack any of them.
 */
export interface QbittorrentPreferences {
  auto_tmm_enabled?: boolean;
  /** 4.x */
  start_paused_enabled?: boolean;
  /** 5.x */
  add_stopped_enabled?: boolean;
  max_ratio_enabled?: boolean;
  max_ratio?: number;
  /** 0 pause/stop, 1 remove, 2 super seeding, 3 remove with files. */
  max_ratio_act?: number;
  max_seeding_time_enabled?: boolean;
  max_seeding_time?: number;
  max_inactive_seeding_time_enabled?: boolean;
  dht?: boolean;
  queueing_enabled?: boolean;
  /** With queueing: downloads active at once, the rest wait in queuedDL (-1: no limit). */
  max_active_downloads?: number;
  dont_count_slow_torrents?: boolean;
  web_ui_max_auth_fail_count?: number;
  web_ui_ban_duration?: number;
}
