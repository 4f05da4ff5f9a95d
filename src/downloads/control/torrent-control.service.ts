import { Injectable } from '@nestjs/common';
import { mapError } from '../../common/error-mapping.js';
import { torrentIdOf } from '../../qbittorrent/identity/info-hash.js';
import { unavailableReason } from '../../qbittorrent/pool/pool.errors.js';
import {
  NOT_AN_INFO_HASH,
  TorrentNotFoundError,
  TorrentUnavailableError,
} from '../downloads.errors.js';
import { isPausedState, stateOf, statusOf } from '../torrents/torrent-state.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import type { CancelResultDto } from './dto/cancel-downloads.dto.js';
import type { DeleteResultDto, SwitchResultDto } from './dto/torrent-switch.dto.js';

/**
 * qBittorrent applies a pause or resume on its next refresh (every 1.5 s by default): waits
 * between looks, growing to about 3 s in all.
 */
const SETTLE_WAITS_MS: readonly number[] = [20, 50, 100, 200, 300, 400, 500, 500, 500, 500];

/**
 * Pause, resume, delete and cancel: what the core and a person do to torrents already added. Each
 * goes to the qBittorrent that holds the torrent; to both, for one two instances hold.
 */
@Injectable()
export class TorrentControlService {
  constructor(private readonly torrents: TorrentRepository) {}

  pause(hash: string): Promise<SwitchResultDto> {
    return this.switchTorrent(hash, 'pause');
  }

  resume(hash: string): Promise<SwitchResultDto> {
    return this.switchTorrent(hash, 'resume');
  }

  async delete(hash: string, deleteFiles: boolean): Promise<DeleteResultDto> {
    await this.torrents.delete(hash, await this.holders(hash), deleteFiles);
    return { hash, status: 'deleted', delete_files: deleteFiles };
  }

  /**
   * Removes the torrents, keeping their files: one list call per 1000 and one delete call in all,
   * on each qBittorrent. A hash no reachable qBittorrent holds while one cannot be asked fails with
   * the reason (it may be there), rather than being called not found.
   */
  async cancel(raw: unknown[]): Promise<CancelResultDto[]> {
    const ids = raw.map(torrentIdOf);
    const valid = [...new Set(ids.filter((id): id is string => id !== null))];
    const { holders, unreachable } = await this.torrents.list({ hashes: valid });
    let failure: string | null = null;
    if (holders.size > 0) {
      try {
        await this.torrents.cancel(holders);
      } catch (error) {
        failure = mapError(error).message;
      }
    }
    return ids.map((id, i): CancelResultDto => {
      const hash = typeof raw[i] === 'string' ? raw[i] : (JSON.stringify(raw[i]) ?? 'null');
      if (id === null) return { hash, status: 'failed', reason: NOT_AN_INFO_HASH };
      if (!holders.has(id)) {
        return unreachable.length === 0
          ? { hash, status: 'not_found', reason: null }
          : { hash, status: 'failed', reason: unavailableReason(unreachable) };
      }
      return failure === null
        ? { hash, status: 'cancelled', reason: null }
        : { hash, status: 'failed', reason: failure };
    });
  }

  /** The qBittorrents that hold the torrent; throws when none does, or none that can be asked. */
  private async holders(hash: string): Promise<readonly string[]> {
    const { holders, unreachable } = await this.torrents.find(hash);
    const labels = holders.get(hash);
    if (labels !== undefined) return labels;
    if (unreachable.length > 0) throw new TorrentUnavailableError(hash, unreachable);
    throw new TorrentNotFoundError(hash);
  }

  /** Pauses or resumes, then answers the state reached once qBittorrent shows it (or ~3 s passed). */
  private async switchTorrent(hash: string, action: 'pause' | 'resume'): Promise<SwitchResultDto> {
    const labels = await this.holders(hash);
    await (action === 'pause'
      ? this.torrents.pause(hash, labels)
      : this.torrents.resume(hash, labels));
    const torrent = await this.torrents.lookUntil(
      labels[0],
      hash,
      (listed) => isPausedState(listed.state) === (action === 'pause'),
      SETTLE_WAITS_MS,
    );
    if (torrent === undefined) return { hash, status: 'not_found', state: 'not_found' };
    const state = stateOf(torrent.state);
    return { hash, status: statusOf(state), state };
  }
}
