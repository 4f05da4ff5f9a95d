import { Injectable } from '@nestjs/common';
import { mapError } from '../common/error-mapping.js';
import { torrentIdOf } from '../qbittorrent/info-hash.js';
import { NOT_AN_INFO_HASH, TorrentNotFoundError } from './downloads.errors.js';
import type { CancelResultDto } from './dto/cancel-downloads.dto.js';
import type { DeleteResultDto, SwitchResultDto } from './dto/torrent-status.dto.js';
import { isPausedState, stateOf, statusOf } from './torrent-status.js';
import { TorrentRepository } from './torrent.repository.js';

/**
 * qBittorrent applies a pause or resume on its next refresh (every 1.5 s by default): waits
 * between looks, growing to about 3 s in all.
 */
const SETTLE_WAITS_MS: readonly number[] = [20, 50, 100, 200, 300, 400, 500, 500, 500, 500];

/** Pause, resume, delete and cancel: what the core and a person do to torrents already added. */
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
    await this.require(hash);
    await this.torrents.delete(hash, deleteFiles);
    return { hash, status: 'deleted', delete_files: deleteFiles };
  }

  /** Removes the torrents, keeping their files: one list call per 1000 and one delete call in all. */
  async cancel(raw: unknown[]): Promise<CancelResultDto[]> {
    const ids = raw.map(torrentIdOf);
    const valid = [...new Set(ids.filter((id): id is string => id !== null))];
    const held = new Set((await this.torrents.list({ hashes: valid })).map((t) => t.hash));
    let failure: string | null = null;
    if (held.size > 0) {
      try {
        await this.torrents.cancel([...held]);
      } catch (error) {
        failure = mapError(error).message;
      }
    }
    return ids.map((id, i): CancelResultDto => {
      const hash = typeof raw[i] === 'string' ? raw[i] : (JSON.stringify(raw[i]) ?? 'null');
      if (id === null) return { hash, status: 'failed', reason: NOT_AN_INFO_HASH };
      if (!held.has(id)) return { hash, status: 'not_found', reason: null };
      return failure === null
        ? { hash, status: 'cancelled', reason: null }
        : { hash, status: 'failed', reason: failure };
    });
  }

  private async require(hash: string): Promise<void> {
    if ((await this.torrents.find(hash)) === undefined) throw new TorrentNotFoundError(hash);
  }

  /** Pauses or resumes, then answers the state reached once qBittorrent shows it (or ~3 s passed). */
  private async switchTorrent(hash: string, action: 'pause' | 'resume'): Promise<SwitchResultDto> {
    await this.require(hash);
    await (action === 'pause' ? this.torrents.pause(hash) : this.torrents.resume(hash));
    const torrent = await this.torrents.lookUntil(
      hash,
      (listed) => isPausedState(listed.state) === (action === 'pause'),
      SETTLE_WAITS_MS,
    );
    if (torrent === undefined) return { hash, status: 'not_found', state: 'not_found' };
    const state = stateOf(torrent.state);
    return { hash, status: statusOf(state), state };
  }
}
