import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/app.config.js';
import { torrentIdOf } from '../../qbittorrent/identity/info-hash.js';
import { unavailableReason } from '../../qbittorrent/pool/pool.errors.js';
import { NOT_AN_INFO_HASH } from '../downloads.errors.js';
import {
  stateOf,
  statusOf,
  type TorrentState,
  type TorrentStatus,
} from '../torrents/torrent-state.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import {
  notFoundView,
  type StatusContext,
  type TorrentStatusView,
  toStatusView,
  unavailableView,
} from './torrent-status.js';

/** What GET /downloads answers: the status of torrents, in the core's types. */
@Injectable()
export class DownloadStatusService {
  private readonly deadAfterS: number;

  constructor(
    private readonly torrents: TorrentRepository,
    config: ConfigService<AppConfig, true>,
  ) {
    this.deadAfterS = config.get('status', { infer: true }).deadTorrentAfterS;
  }

  /**
   * The status of each asked-for hash, in order and answered with the hash as asked: one call to
   * each qBittorrent per 1000 hashes, and one per torrent whose files are not known yet. A hash no
   * reachable qBittorrent holds while another cannot be asked is `unavailable`, naming it: it may
   * be there, and a poller takes `not_found` as lost.
   */
  async statuses(entries: string[]): Promise<TorrentStatusView[]> {
    const ids = entries.map(torrentIdOf);
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const { torrents, files, unreachable } = await this.torrents.listWithFiles({ hashes: wanted });
    const byHash = new Map(torrents.map((torrent) => [torrent.hash, torrent]));
    const unavailable = unreachable.length === 0 ? null : unavailableReason(unreachable);
    return entries.map((entry, i) => {
      const id = ids[i];
      if (id === null) return notFoundView(entry, null, NOT_AN_INFO_HASH);
      const torrent = byHash.get(id);
      if (torrent) return toStatusView(torrent, files.get(id) ?? [], this.context(entry));
      return unavailable === null
        ? notFoundView(entry, id)
        : unavailableView(entry, id, unavailable);
    });
  }

  /** Every torrent qBittorrent holds, filtered by category and tag there, by status or state here. */
  async all(query: {
    category?: string;
    tag?: string;
    status?: TorrentStatus;
    state?: TorrentState;
  }): Promise<TorrentStatusView[]> {
    const { torrents, files } = await this.torrents.listWithFiles(
      { category: query.category, tag: query.tag },
      (torrent) => {
        const state = stateOf(torrent.state);
        return (
          (query.state === undefined || state === query.state) &&
          (query.status === undefined || statusOf(state) === query.status)
        );
      },
    );
    const context = this.context();
    return torrents.map((torrent) => toStatusView(torrent, files.get(torrent.hash) ?? [], context));
  }

  private context(requested?: string): StatusContext {
    return { requested, deadAfterS: this.deadAfterS, nowS: Math.floor(Date.now() / 1000) };
  }
}
