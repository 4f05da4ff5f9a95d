import { expectStatus, isRecord, parseJson, type WebuiResponse } from './dialect.js';
import { QbittorrentProtocolError } from './qbittorrent.errors.js';
import type { TorrentInfo } from './qbittorrent.types.js';

/**
 * What `sync/maindata` tells of one torrent that this service reads (only changed fields in a
 * delta): what it still needs, and what judges it stalled or dead (TorrentInfo's fields, and
 * `tracker`, the URL of the tracker that last answered: empty while none does; `trackers_count`,
 * from 4.3 on).
 */
export type MaindataTorrent = Partial<
  Pick<
    TorrentInfo,
    | 'amount_left'
    | 'progress'
    | 'size'
    | 'state'
    | 'num_seeds'
    | 'num_complete'
    | 'availability'
    | 'added_on'
    | 'last_activity'
    | 'downloaded'
  >
> & { tracker?: string; trackers_count?: number };

/** `server_state` fields this service reads; a delta carries only those that changed. */
export interface MaindataServerState {
  /** Free space on the default save path. */
  freeSpaceOnDisk?: number;
  /** DHT nodes it is connected to: 0 with DHT off or outbound UDP blocked. */
  dhtNodes?: number;
  /** `connected`, `firewalled` (no incoming connection seen) or `disconnected` (not listening). */
  connectionStatus?: string;
}

/** An answer of `sync/maindata`: what changed since the rid asked with, or everything. */
export interface Maindata {
  /** The rid to ask with next. */
  rid: number;
  /** Everything is listed: what is not is gone. */
  fullUpdate: boolean;
  torrents: Record<string, MaindataTorrent>;
  removed: string[];
  /** What it reported of the session: a field is absent when unchanged (a delta) or not reported. */
  server: MaindataServerState;
}

/**
 * `sync/maindata?rid=N`: a delta since the answer numbered N, or a full update (`full_update`) for
 * any other N. Since 5.1 an empty collection is left out.
 */
export function readMaindata(response: WebuiResponse): Maindata {
  expectStatus(response, 'sync/maindata', 200);
  const answer = parseJson<unknown>(response.body, 'sync/maindata');
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new QbittorrentProtocolError('sync/maindata', 'expected a JSON object');
  }
  const data = answer as Record<string, unknown>;
  if (typeof data.rid !== 'number') {
    throw new QbittorrentProtocolError('sync/maindata', 'expected a rid');
  }
  const torrents = isRecord(data.torrents) ? (data.torrents as Maindata['torrents']) : {};
  const removed = Array.isArray(data.torrents_removed)
    ? data.torrents_removed.filter((hash): hash is string => typeof hash === 'string')
    : [];
  const serverState = isRecord(data.server_state) ? data.server_state : {};
  const { free_space_on_disk: freeSpace, dht_nodes: dhtNodes } = serverState;
  const { connection_status: connectionStatus } = serverState;
  return {
    rid: data.rid,
    fullUpdate: data.full_update === true,
    torrents,
    removed,
    server: {
      ...(typeof freeSpace === 'number' && { freeSpaceOnDisk: freeSpace }),
      ...(typeof dhtNodes === 'number' && { dhtNodes }),
      ...(typeof connectionStatus === 'string' && { connectionStatus }),
    },
  };
}
