import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { UnsavedAddError } from '../downloads.errors.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import type { AddResult } from './add-item.js';
import { failureOf } from './download-outcome.js';

/**
 * How long qBittorrent may take to save a torrent once it lists it. It lists a new torrent as soon
 * as its main thread handles libtorrent's add alert, then asks libtorrent for the torrent's resume
 * data and writes it from a thread of its own (qBittorrent's SessionImpl::createTorrent and
 * BencodeResumeDataStorage): a SIGKILL in between loses the torrent. Measured on the real binaries,
 * killed at random under adds 8 at a time (docs/qbittorrent.md): 4.2.5 lost none, 5.3.0 none listed
 * 5 ms or more before, 4.5.2 none 20 ms or more, 5.1.0 none 50 ms or more. Twice the worst.
 */
export const SAVE_MARGIN_MS = 100;

/**
 * The last stage of a batch: an item is answered `accepted` only if its qBittorrent has had time
 * to save the torrent, which it shows by answering a call made SAVE_MARGIN_MS or more after it
 * listed it. The looks that confirm later items show it for earlier ones; for the last, one more
 * look once the margin has passed. An instance that does not answer it leaves those it listed
 * within the margin before its last answer uncertain: they fail, with the reason, rather than be
 * answered `accepted` and lost by a restart.
 */
@Injectable()
export class PersistenceGuard {
  constructor(
    private readonly torrents: TorrentRepository,
    private readonly pool: QbittorrentPool,
  ) {}

  async guard(results: AddResult[]): Promise<AddResult[]> {
    const fresh = new Map<string, AddResult[]>();
    for (const result of results) {
      if (result.outcome.status !== 'accepted' || result.listedAt === undefined) continue;
      const { instance } = result.outcome;
      const added = fresh.get(instance);
      if (added === undefined) fresh.set(instance, [result]);
      else added.push(result);
    }
    const unsaved = new Map<AddResult, AddResult>();
    await Promise.all(
      [...fresh].map(async ([label, added]) => {
        for (const [result, reason] of await this.unsavedOn(label, added)) {
          unsaved.set(result, {
            ...result,
            outcome: failureOf(reason, hashOf(result)),
            error: reason,
          });
        }
      }),
    );
    return results.map((result) => unsaved.get(result) ?? result);
  }

  /** Of the torrents just added to `label`, those it may not have saved, with why. */
  private async unsavedOn(label: string, added: AddResult[]): Promise<[AddResult, Error][]> {
    const saved = (result: AddResult) =>
      this.pool.answeredSince(label, (result.listedAt as number) + SAVE_MARGIN_MS);
    const recent = added.filter((result) => !saved(result));
    if (recent.length === 0) return [];
    const latest = Math.max(...recent.map((result) => result.listedAt as number));
    await sleep(Math.max(0, latest + SAVE_MARGIN_MS - performance.now()));
    let problem: string;
    try {
      // Any answer will do: that it answers now shows it had the time. (It may no longer list a
      // torrent another replica kept elsewhere: DuplicateSettlement.)
      await this.torrents.listOnce(label, recent.map(hashOf));
      return [];
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    return recent
      .filter((result) => !saved(result))
      .map((result) => [result, this.unsaved(label, result, problem)]);
  }

  private unsaved(label: string, result: AddResult, cause: string): Error {
    return new UnsavedAddError(this.pool.nameOf(label), hashOf(result), cause);
  }
}

function hashOf(result: AddResult): string {
  return result.outcome.status === 'accepted' ? result.outcome.hash : (result.outcome.hash ?? '');
}
