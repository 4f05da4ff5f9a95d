import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import pLimit from 'p-limit';
import { mapError } from '../common/error-mapping.js';
import { InvalidRequestError } from '../common/invalid-request.error.js';
import { DownloadService } from '../download/download.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { normalizeInfoHash } from '../qbittorrent/info-hash.js';
import { parseMagnet } from '../qbittorrent/magnet.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type { TorrentFile, TorrentInfo, TorrentQuery } from '../qbittorrent/qbittorrent.types.js';
import { RetryService } from '../qbittorrent/retry.service.js';
import { DownloadItemDto, type DownloadItemResultDto } from './dto/add-downloads.dto.js';
import type {
  DeleteResultDto,
  SwitchResultDto,
  TorrentStatusDto,
} from './dto/torrent-status.dto.js';
import type { CancelResultDto } from './dto/cancel-downloads.dto.js';
import { MAX_STATUS_HASHES } from './dto/status-query.dto.js';
import { TorrentNotFoundError } from './torrent-not-found.error.js';
import {
  isPausedState,
  notFoundView,
  statusOf,
  type TorrentStatus,
  toStatusView,
} from './torrent-status.js';

/** Batch items in flight at once: enough to keep qBittorrent busy, few enough not to queue on it. */
const BATCH_CONCURRENCY = 8;
const FILES_CONCURRENCY = 4;
/** qBittorrent applies a pause or resume on its next refresh, about a second later. */
const STATE_SETTLE_MS = 3000;
const STATE_POLL_MS = 100;

/** Torrent management for the core service: batches, status, pause, resume, delete, cancel. */
@Injectable()
export class DownloadsService {
  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
    private readonly downloads: DownloadService,
    private readonly metrics: MetricsService,
  ) {}

  /** Adds each item on its own (bounded concurrency); one result per item, in order. */
  addMany(items: unknown[]): Promise<DownloadItemResultDto[]> {
    const limit = pLimit(BATCH_CONCURRENCY);
    return Promise.all(items.map((item) => limit(() => this.addOne(item))));
  }

  /** The status of each hash, in order, from one torrent-list call however many they are. */
  async statuses(hashes: string[]): Promise<TorrentStatusDto[]> {
    const torrents = await this.list({ hashes: [...new Set(hashes)] });
    const views = new Map((await this.viewsOf(torrents)).map((view) => [view.hash, view]));
    return hashes.map((hash) => views.get(hash) ?? notFoundView(hash));
  }

  /** Every torrent qBittorrent holds, filtered by category and tag there, and by status here. */
  async all(query: {
    category?: string;
    tag?: string;
    status?: TorrentStatus;
  }): Promise<TorrentStatusDto[]> {
    const torrents = await this.list({ category: query.category, tag: query.tag });
    const wanted =
      query.status === undefined
        ? torrents
        : torrents.filter((t) => statusOf(t.state) === query.status);
    return this.viewsOf(wanted);
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

  /** Removes the torrents, keeping their files: one list call and one delete call in all. */
  async cancel(raw: unknown[]): Promise<CancelResultDto[]> {
    const hashes = raw.map(normalizeInfoHash);
    const valid = [...new Set(hashes.filter((hash): hash is string => hash !== null))];
    const held = new Set(
      valid.length > 0 ? (await this.list({ hashes: valid })).map((t) => t.hash) : [],
    );
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
    return hashes.map((hash, i): CancelResultDto => {
      if (hash === null) {
        return {
          hash: String(raw[i]),
          status: 'failed',
          reason: 'not an info-hash of 40 hex characters',
        };
      }
      if (!held.has(hash)) return { hash, status: 'not_found', reason: null };
      return failure === null
        ? { hash, status: 'cancelled', reason: null }
        : { hash, status: 'failed', reason: failure };
    });
  }

  /** Parses the `hashes` query parameter: 1 to 1000 comma-separated info-hashes. */
  parseHashes(list: string): string[] {
    const parts = list.split(',').map((part) => part.trim());
    if (list.trim() === '' || parts.length > MAX_STATUS_HASHES) {
      throw new InvalidRequestError(
        `hashes must list 1 to ${MAX_STATUS_HASHES} info-hashes, separated by commas`,
      );
    }
    return parts.map((part, i) => {
      const hash = normalizeInfoHash(part);
      if (hash === null) {
        throw new InvalidRequestError(
          `hashes: entry ${i + 1} is not an info-hash of 40 hex characters`,
        );
      }
      return hash;
    });
  }

  private async addOne(raw: unknown): Promise<DownloadItemResultDto> {
    const record =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : null;
    const url = typeof record?.url === 'string' ? record.url : null;
    const refused = (reason: string): DownloadItemResultDto => {
      this.metrics.countDownload('unsupported');
      return failed(reason);
    };
    const failed = (reason: string, hash: string | null = null): DownloadItemResultDto => ({
      url,
      hash,
      status: 'failed',
      reason,
    });
    if (record === null) return refused('item must be a JSON object');

    const item = plainToInstance(DownloadItemDto, record);
    const errors = await validate(item, {
      whitelist: true,
      stopAtFirstError: true,
      forbidUnknownValues: true,
    });
    if (errors.length > 0) return refused(InvalidRequestError.fromValidation(errors).message);
    let hash: string;
    try {
      hash = parseMagnet(item.url).hash;
    } catch (error) {
      return refused(mapError(error).message);
    }
    try {
      const result = await this.downloads.add(item.link_id, item.url, item.toOptions());
      return { url, hash: result.hash, status: 'accepted', reason: null };
    } catch (error) {
      return failed(mapError(error).message, hash);
    }
  }

  private list(query: TorrentQuery): Promise<TorrentInfo[]> {
    return this.retry.execute(() => this.client.getTorrents(query), {
      label: 'reading torrents from qBittorrent',
      operation: 'status',
    });
  }

  /** Status views, with the file list of each completed torrent. */
  private async viewsOf(torrents: TorrentInfo[]): Promise<TorrentStatusDto[]> {
    const limit = pLimit(FILES_CONCURRENCY);
    return Promise.all(
      torrents.map(async (torrent) => {
        let files: TorrentFile[] | null = null;
        if (statusOf(torrent.state) === 'completed') {
          files = await limit(() =>
            this.retry.execute(() => this.client.getFiles(torrent.hash), {
              label: `reading the files of torrent ${torrent.hash}`,
              operation: 'files',
            }),
          );
        }
        return toStatusView(torrent, files);
      }),
    );
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
      if (!torrent) return { hash, status: 'not_found' };
      if (applied(torrent) || Date.now() >= deadline)
        return { hash, status: statusOf(torrent.state) };
      await sleep(STATE_POLL_MS);
    }
  }
}
