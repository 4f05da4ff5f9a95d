import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import pLimit from 'p-limit';
import { mapError } from '../common/error-mapping.js';
import { InvalidRequestError } from '../common/invalid-request.error.js';
import { type DownloadLink, parseDownloadLink } from '../download/download-link.js';
import { DownloadService } from '../download/download.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { torrentIdOf } from '../qbittorrent/info-hash.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import {
  QbittorrentAuthError,
  QbittorrentTimeoutError,
  QbittorrentUnavailableError,
} from '../qbittorrent/qbittorrent.errors.js';
import type { TorrentFile, TorrentInfo, TorrentQuery } from '../qbittorrent/qbittorrent.types.js';
import { RetryAbortedError, RetryFailedError, RetryService } from '../qbittorrent/retry.service.js';
import { TorrentFetchError } from '../torrent-file/torrent-fetch.error.js';
import type { CancelResultDto } from './dto/cancel-downloads.dto.js';
import { DownloadItemDto, type DownloadItemResultDto } from './dto/add-downloads.dto.js';
import type { DeleteResultDto, SwitchResultDto } from './dto/torrent-status.dto.js';
import { BATCH_DEADLINE_MS, HASHES_PER_QBITTORRENT_CALL } from './downloads.limits.js';
import { TorrentNotFoundError } from './torrent-not-found.error.js';
import {
  hasMetadata,
  isPausedState,
  notFoundView,
  stateOf,
  statusOf,
  type TorrentState,
  type TorrentStatus,
  type TorrentStatusView,
  toStatusView,
} from './torrent-status.js';

/** Batch items in flight at once: enough to keep qBittorrent busy, few enough not to queue on it. */
const BATCH_CONCURRENCY = 8;
const FILES_CONCURRENCY = 8;
/** qBittorrent applies a pause or resume on its next refresh, about a second later. */
const STATE_SETTLE_MS = 3000;
const STATE_POLL_MS = 100;
const NOT_A_HASH = 'not an info-hash (40 hex or 32 base32 characters)';

/** What one batch has learnt is down (qBittorrent, or a host serving .torrent files), and why. */
type Outages = Map<string, string>;

/** Torrent management for the core service: batches, status, pause, resume, delete, cancel. */
@Injectable()
export class DownloadsService {
  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
    private readonly downloads: DownloadService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Adds each item on its own (bounded concurrency); one result per item, in order, within
   * BATCH_DEADLINE_MS. Once qBittorrent (or a .torrent host) is known down, the items that need it
   * fail at once with that reason instead of each waiting out its own retries.
   */
  addMany(items: unknown[]): Promise<DownloadItemResultDto[]> {
    const deadline = AbortSignal.timeout(BATCH_DEADLINE_MS);
    const outages: Outages = new Map();
    const limit = pLimit(BATCH_CONCURRENCY);
    return Promise.all(items.map((item) => limit(() => this.addOne(item, deadline, outages))));
  }

  /**
   * The status of each asked-for hash, in order and answered with the hash as asked; one call to
   * qBittorrent per 1000 hashes, and one per torrent whose files are known.
   */
  async statuses(entries: string[]): Promise<TorrentStatusView[]> {
    const ids = entries.map(torrentIdOf);
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const torrents = new Map((await this.list({ hashes: wanted })).map((t) => [t.hash, t]));
    const files = await this.filesOf([...torrents.values()]);
    return entries.map((entry, i) => {
      const id = ids[i];
      if (id === null) return notFoundView(entry, null, NOT_A_HASH);
      const torrent = torrents.get(id);
      return torrent ? toStatusView(torrent, files.get(id) ?? [], entry) : notFoundView(entry, id);
    });
  }

  /** Every torrent qBittorrent holds, filtered by category and tag there, by status or state here. */
  async all(query: {
    category?: string;
    tag?: string;
    status?: TorrentStatus;
    state?: TorrentState;
  }): Promise<TorrentStatusView[]> {
    const torrents = (await this.list({ category: query.category, tag: query.tag })).filter(
      (torrent) => {
        const state = stateOf(torrent.state);
        return (
          (query.state === undefined || state === query.state) &&
          (query.status === undefined || statusOf(state) === query.status)
        );
      },
    );
    const files = await this.filesOf(torrents);
    return torrents.map((torrent) => toStatusView(torrent, files.get(torrent.hash) ?? []));
  }

  pause(hash: string): Promise<SwitchResultDto> {
    return this.switchTorrent(hash, 'pause');
  }

  resume(hash: string): Promise<SwitchResultDto> {
    return this.switchTorrent(hash, 'resume');
  }

  async delete(hash: string, deleteFiles: boolean): Promise<DeleteResultDto> {
    await this.requireTorrent(hash);
    await this.retry.execute(() => this.client.delete(hash, deleteFiles), {
      label: `deleting torrent ${hash}`,
      operation: 'delete',
    });
    return { hash, status: 'deleted', delete_files: deleteFiles };
  }

  /** Removes the torrents, keeping their files: one list call per 1000 and one delete call in all. */
  async cancel(raw: unknown[]): Promise<CancelResultDto[]> {
    const ids = raw.map(torrentIdOf);
    const valid = [...new Set(ids.filter((id): id is string => id !== null))];
    const held = new Set((await this.list({ hashes: valid })).map((t) => t.hash));
    let failure: string | null = null;
    if (held.size > 0) {
      try {
        await this.retry.execute(() => this.client.deleteMany([...held], false), {
          label: `cancelling ${held.size} torrent${held.size === 1 ? '' : 's'}`,
          operation: 'cancel',
        });
      } catch (error) {
        failure = mapError(error).message;
      }
    }
    return ids.map((id, i): CancelResultDto => {
      const hash = typeof raw[i] === 'string' ? raw[i] : (JSON.stringify(raw[i]) ?? 'null');
      if (id === null) return { hash, status: 'failed', reason: NOT_A_HASH };
      if (!held.has(id)) return { hash, status: 'not_found', reason: null };
      return failure === null
        ? { hash, status: 'cancelled', reason: null }
        : { hash, status: 'failed', reason: failure };
    });
  }

  /** The `hashes` query parameter: comma-separated entries, blanks dropped, in order. */
  parseHashes(list: string): string[] {
    return list
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }

  private async addOne(
    raw: unknown,
    deadline: AbortSignal,
    outages: Outages,
  ): Promise<DownloadItemResultDto> {
    const record =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : null;
    const url = typeof record?.url === 'string' ? record.url : '';
    const failed = (reason: string, hash: string | null = null): DownloadItemResultDto => ({
      url,
      hash,
      status: 'failed',
      reason,
    });
    const refused = (reason: string): DownloadItemResultDto => {
      this.metrics.countDownload('unsupported');
      return failed(reason);
    };
    if (record === null) return refused('item must be a JSON object');

    const item = plainToInstance(DownloadItemDto, record);
    const errors = await validate(item, {
      whitelist: true,
      stopAtFirstError: true,
      forbidUnknownValues: true,
    });
    if (errors.length > 0) return refused(InvalidRequestError.fromValidation(errors).message);
    let link: DownloadLink;
    try {
      link = parseDownloadLink(item.url);
    } catch (error) {
      return refused(mapError(error).message);
    }
    const hash = link.kind === 'magnet' ? link.hash : null;
    const down = outages.get('qbittorrent') ?? outages.get(dependencyOf(link));
    if (down !== undefined) return this.unattempted(failed(`not attempted: ${down}`, hash));
    if (deadline.aborted) return this.unattempted(failed(deadlineReason('not attempted'), hash));

    try {
      const result = await this.downloads.add(item.link_id, link, item.toOptions(), deadline);
      return { url, hash: result.hash, status: 'accepted', reason: null };
    } catch (error) {
      if (error instanceof RetryAbortedError && deadline.aborted) {
        return failed(deadlineReason(error.label), hash);
      }
      const outage = outageOf(error, link);
      if (outage !== null && !outages.has(outage)) outages.set(outage, mapError(error).message);
      return failed(mapError(error).message, hash);
    }
  }

  /** An item failed for an outage seen on another item: counted as an error of its own. */
  private unattempted(result: DownloadItemResultDto): DownloadItemResultDto {
    this.metrics.countDownload('error');
    return result;
  }

  /** Torrents matching a query; at most 1000 hashes per call (an empty list asks nothing). */
  private async list(query: TorrentQuery): Promise<TorrentInfo[]> {
    if (query.hashes === undefined) return this.listOnce(query);
    const lists: TorrentInfo[][] = [];
    for (let i = 0; i < query.hashes.length; i += HASHES_PER_QBITTORRENT_CALL) {
      const hashes = query.hashes.slice(i, i + HASHES_PER_QBITTORRENT_CALL);
      lists.push(await this.listOnce({ ...query, hashes }));
    }
    return lists.flat();
  }

  private listOnce(query: TorrentQuery): Promise<TorrentInfo[]> {
    return this.retry.execute(() => this.client.getTorrents(query), {
      label: 'reading torrents from qBittorrent',
      operation: 'status',
    });
  }

  /** The files of each torrent whose metadata qBittorrent has (a magnet has none before). */
  private async filesOf(torrents: TorrentInfo[]): Promise<Map<string, TorrentFile[]>> {
    const limit = pLimit(FILES_CONCURRENCY);
    const entries = await Promise.all(
      torrents.filter(hasMetadata).map((torrent) =>
        limit(async () => {
          const files = await this.retry.execute(() => this.client.getFiles(torrent.hash), {
            label: `reading the files of torrent ${torrent.hash}`,
            operation: 'files',
          });
          return [torrent.hash, files ?? []] as const;
        }),
      ),
    );
    return new Map(entries);
  }

  private async requireTorrent(hash: string): Promise<TorrentInfo> {
    const [torrent] = await this.list({ hashes: [hash] });
    if (!torrent) throw new TorrentNotFoundError(hash);
    return torrent;
  }

  private async switchTorrent(hash: string, action: 'pause' | 'resume'): Promise<SwitchResultDto> {
    await this.requireTorrent(hash);
    await this.retry.execute(
      () => (action === 'pause' ? this.client.pause(hash) : this.client.resume(hash)),
      {
        label: `${action === 'pause' ? 'pausing' : 'resuming'} torrent ${hash}`,
        operation: action,
      },
    );
    const applied = (torrent: TorrentInfo) => isPausedState(torrent.state) === (action === 'pause');
    const deadline = Date.now() + STATE_SETTLE_MS;
    for (;;) {
      const [torrent] = await this.list({ hashes: [hash] });
      if (!torrent) return { hash, status: 'not_found', state: 'not_found' };
      if (applied(torrent) || Date.now() >= deadline) {
        const state = stateOf(torrent.state);
        return { hash, status: statusOf(state), state };
      }
      await sleep(STATE_POLL_MS);
    }
  }
}

function dependencyOf(link: DownloadLink): string {
  return link.kind === 'magnet' ? 'qbittorrent' : `host ${link.url.host}`;
}

/** What an item's failure says is down for every item that needs it, or null. */
function outageOf(error: unknown, link: DownloadLink): string | null {
  if (!(error instanceof RetryFailedError)) return null;
  const cause = error.cause;
  if (
    cause instanceof QbittorrentUnavailableError ||
    cause instanceof QbittorrentTimeoutError ||
    (cause instanceof QbittorrentAuthError && cause.reason !== 'session')
  ) {
    return 'qbittorrent';
  }
  if (cause instanceof TorrentFetchError && error.exhausted) return dependencyOf(link);
  return null;
}

function deadlineReason(what: string): string {
  return `${what}: the batch reached its ${BATCH_DEADLINE_MS / 1000} s deadline (send it again)`;
}
