import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import pLimit from 'p-limit';
import { mapError } from '../common/error-mapping.js';
import { InvalidRequestError } from '../common/invalid-request.error.js';
import type { AppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QbittorrentSettings } from '../qbittorrent/qbittorrent-settings.service.js';
import { torrentIdOf } from '../qbittorrent/info-hash.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import type {
  AddMagnetOptions,
  TorrentFile,
  TorrentInfo,
  TorrentQuery,
} from '../qbittorrent/qbittorrent.types.js';
import { RetryAbortedError, RetryFailedError, RetryService } from '../retry/retry.service.js';
import { TorrentFetchError } from '../torrent-file/torrent-fetch.error.js';
import { TorrentFetcher } from '../torrent-file/torrent-fetcher.js';
import type { TorrentFile as TorrentMetainfo } from '../torrent-file/torrent-file.js';
import { BatchOutages, deadlineReason } from './batch-outages.js';
import type { DownloadLink } from './download-link.js';
import {
  type DownloadAccepted,
  type DownloadFailure,
  type DownloadOutcome,
  failureOf,
  notAttempted,
  unconfirmed,
} from './download-outcome.js';
import type { CancelResultDto } from './dto/cancel-downloads.dto.js';
import { DownloadItemDto, type DownloadItemResultDto } from './dto/add-downloads.dto.js';
import type { DeleteResultDto, SwitchResultDto } from './dto/torrent-status.dto.js';
import { BATCH_DEADLINE_MS, HASHES_PER_QBITTORRENT_CALL } from './downloads.limits.js';
import { linkTag } from './link-tag.js';
import { TorrentNotFoundError } from './torrent-not-found.error.js';
import {
  hasMetadata,
  isPausedState,
  notFoundView,
  stateOf,
  statusOf,
  type TorrentState,
  type TorrentStatus,
  type StatusContext,
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
const NO_PEER_SOURCE =
  'the magnet names no tracker and DHT is off in qBittorrent: it will find no peers, nor its metadata';
/** When to look for just-added torrents in qBittorrent's list: at once, then twice more. */
const CONFIRM_DELAYS_MS = [0, 250, 750];

/** One add on its way to an outcome: decided, then confirmed, then recorded. */
interface Attempt {
  /** The batch item's url as given, for its result. */
  url: string;
  linkId: number | undefined;
  /** Null when the request was refused before its link was read. */
  link: DownloadLink | null;
  options: AddMagnetOptions;
  outcome: DownloadOutcome;
  /** What failed, for the log. */
  error?: unknown;
}

/** The adds qBittorrent answered as new, with their hash: to be confirmed in its list. */
function newlyAdded(attempts: Attempt[]): { attempt: Attempt; hash: string }[] {
  return attempts.flatMap((attempt) =>
    attempt.outcome.status === 'accepted' && !attempt.outcome.alreadyPresent
      ? [{ attempt, hash: attempt.outcome.hash }]
      : [],
  );
}

/**
 * Downloads for the core service: adding one link or a batch (magnets, and .torrent files fetched
 * here), their status, pause, resume, delete and cancel. Every add ends in one outcome, logged
 * and counted in one place (`record`).
 */
@Injectable()
export class DownloadsService {
  private readonly logger = new Logger(DownloadsService.name);
  private readonly deadAfterS: number;

  constructor(
    private readonly client: QbittorrentClient,
    private readonly retry: RetryService,
    private readonly fetcher: TorrentFetcher,
    private readonly metrics: MetricsService,
    private readonly settings: QbittorrentSettings,
    config: ConfigService<AppConfig, true>,
  ) {
    this.deadAfterS = config.get('status', { infer: true }).deadTorrentAfterS;
  }

  /**
   * Hands a link to qBittorrent (a .torrent URL is fetched first), retrying transient failures,
   * and records `linkId` on the torrent as the tag `link:<id>`. Accepted once qBittorrent lists
   * the torrent.
   */
  async add(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddMagnetOptions = {},
  ): Promise<DownloadOutcome> {
    const attempt = await this.attempt(linkId, link, options);
    await this.confirm([attempt]);
    await this.warn([attempt]);
    return this.settle(attempt);
  }

  /** A request refused before any work (validation, body, token): logged and counted like the rest. */
  refuse(linkId: number | undefined, error: unknown): DownloadFailure {
    return this.record(linkId, null, failureOf(error), error);
  }

  /**
   * Adds each item on its own (bounded concurrency); one result per item, in order, within
   * BATCH_DEADLINE_MS. Once qBittorrent (or a .torrent host) is known down, the items that need it
   * fail at once with that reason instead of each waiting out its own retries.
   */
  async addMany(items: unknown[]): Promise<DownloadItemResultDto[]> {
    const deadline = AbortSignal.timeout(BATCH_DEADLINE_MS);
    const outages = new BatchOutages();
    const limit = pLimit(BATCH_CONCURRENCY);
    const attempts = await Promise.all(
      items.map((item) => limit(() => this.attemptItem(item, deadline, outages))),
    );
    await this.confirm(attempts, deadline);
    await this.warn(attempts);
    return attempts.map((attempt) => {
      const outcome = this.settle(attempt);
      return outcome.status === 'accepted'
        ? {
            url: attempt.url,
            hash: outcome.hash,
            status: 'accepted',
            reason: null,
            warning: outcome.warning ?? null,
          }
        : {
            url: attempt.url,
            hash: outcome.hash,
            status: 'failed',
            reason: outcome.error,
            warning: null,
          };
    });
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
      return torrent
        ? toStatusView(torrent, files.get(id) ?? [], this.context(entry))
        : notFoundView(entry, id);
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
    return torrents.map((torrent) =>
      toStatusView(torrent, files.get(torrent.hash) ?? [], this.context()),
    );
  }

  private context(requested?: string): StatusContext {
    return { requested, deadAfterS: this.deadAfterS, nowS: Math.floor(Date.now() / 1000) };
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

  private async attemptItem(
    raw: unknown,
    deadline: AbortSignal,
    outages: BatchOutages,
  ): Promise<Attempt> {
    const record =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : null;
    const url = typeof record?.url === 'string' ? record.url : '';
    const linkId = typeof record?.link_id === 'number' ? record.link_id : undefined;
    const refused = (error: Error): Attempt => ({
      url,
      linkId,
      link: null,
      options: {},
      outcome: failureOf(error),
      error,
    });
    if (record === null) return refused(new InvalidRequestError('item must be a JSON object'));
    const item = plainToInstance(DownloadItemDto, record);
    const errors = await validate(item, {
      whitelist: true,
      stopAtFirstError: true,
      forbidUnknownValues: true,
    });
    if (errors.length > 0) return refused(InvalidRequestError.fromValidation(errors));

    const link = item.url;
    const options = item.toOptions();
    const giveUp = (reason: string): Attempt => ({
      url,
      linkId,
      link,
      options,
      outcome: notAttempted(reason, hashOf(link)),
    });
    const down = outages.reasonFor(link);
    if (down !== undefined) return giveUp(`not attempted: ${down}`);
    if (deadline.aborted) return giveUp(deadlineReason('not attempted'));
    const attempt = { ...(await this.attempt(item.link_id, link, options, deadline)), url };
    if (attempt.error instanceof RetryAbortedError && deadline.aborted) {
      return giveUp(deadlineReason(attempt.error.label));
    }
    if (attempt.outcome.status !== 'accepted') {
      outages.learn(attempt.error, link, attempt.outcome.error);
    }
    return attempt;
  }

  /** One add, retried; the outcome is decided but not yet confirmed nor recorded. */
  private async attempt(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddMagnetOptions,
    signal?: AbortSignal,
  ): Promise<Attempt> {
    try {
      return {
        url: '',
        linkId,
        link,
        options,
        outcome: await this.send(linkId, link, options, signal),
      };
    } catch (error) {
      return { url: '', linkId, link, options, outcome: failureOf(error, hashOf(link)), error };
    }
  }

  /**
   * qBittorrent can answer `Ok.` to an add it never performs (seen after days of uptime on 5.1
   * and 5.2): every new torrent is looked for in its list, all in one call; one still missing is
   * added again once, and fails if it is still not there.
   */
  private async confirm(attempts: Attempt[], signal?: AbortSignal): Promise<void> {
    let pending = newlyAdded(attempts);
    for (let round = 1; pending.length > 0; round++) {
      let held: Set<string>;
      try {
        held = await this.held(pending.map(({ hash }) => hash));
      } catch (error) {
        for (const { attempt, hash } of pending)
          Object.assign(attempt, { outcome: failureOf(error, hash), error });
        return;
      }
      pending = pending.filter(({ hash }) => !held.has(hash));
      if (pending.length === 0) return;
      if (round === 2) {
        for (const { attempt, hash } of pending) attempt.outcome = unconfirmed(hash);
        return;
      }
      this.logger.warn(
        `qBittorrent does not list ${pending.length} torrent${pending.length === 1 ? '' : 's'} it said it added: adding again`,
      );
      const limit = pLimit(BATCH_CONCURRENCY);
      await Promise.all(
        pending.map(({ attempt, hash }) =>
          limit(async () => {
            const again = await this.attempt(
              attempt.linkId,
              attempt.link as DownloadLink,
              attempt.options,
              signal,
            );
            const outOfTime = again.error instanceof RetryAbortedError && signal?.aborted === true;
            attempt.outcome = outOfTime
              ? notAttempted(deadlineReason('not added again'), hash)
              : again.outcome;
            attempt.error = again.error;
          }),
        ),
      );
      pending = newlyAdded(pending.map(({ attempt }) => attempt));
    }
  }

  /** Which of `hashes` qBittorrent lists, looking again briefly: it lists a new torrent a moment late. */
  private async held(hashes: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const wait of CONFIRM_DELAYS_MS) {
      const missing = hashes.filter((hash) => !found.has(hash));
      if (missing.length === 0) break;
      if (wait > 0) await sleep(wait);
      for (const torrent of await this.list({ hashes: missing })) found.add(torrent.hash);
    }
    return found;
  }

  /** Flags accepted magnets that name no tracker while DHT is off: they never find peers. */
  private async warn(attempts: Attempt[]): Promise<void> {
    const blind = attempts.filter(
      (attempt) =>
        attempt.outcome.status === 'accepted' &&
        attempt.link?.kind === 'magnet' &&
        !attempt.link.hasTrackers,
    );
    if (blind.length === 0 || !(await this.settings.dhtOff())) return;
    for (const attempt of blind) {
      if (attempt.outcome.status === 'accepted') attempt.outcome.warning = NO_PEER_SOURCE;
    }
  }

  private settle(attempt: Attempt): DownloadOutcome {
    return this.record(attempt.linkId, attempt.link, attempt.outcome, attempt.error);
  }

  /** Adds the link, retrying; throws what finally failed. `signal` abandons the waits between attempts. */
  private async send(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddMagnetOptions,
    signal?: AbortSignal,
  ): Promise<DownloadAccepted> {
    const tags = linkId === undefined ? options.tags : [...(options.tags ?? []), linkTag(linkId)];
    const result =
      link.kind === 'magnet'
        ? await this.retry.execute(() => this.client.addMagnet(link, { ...options, tags }), {
            label: `adding torrent ${link.hash} to qBittorrent`,
            operation: 'add',
            signal,
          })
        : await this.addTorrentFile(await this.fetch(link, signal), { ...options, tags }, signal);
    // qBittorrent ignores the options of a torrent it already holds: the link is tagged apart.
    if (result.alreadyPresent && linkId !== undefined) {
      await this.retry.execute(() => this.client.addTags(result.hash, [linkTag(linkId)]), {
        label: `tagging torrent ${result.hash} with its link_id`,
        operation: 'tag',
        signal,
      });
    }
    return { status: 'accepted', ...result };
  }

  /** The .torrent file behind a link; a failure that retrying cannot mend is thrown as it is. */
  private async fetch(
    link: Extract<DownloadLink, { kind: 'torrent-url' }>,
    signal?: AbortSignal,
  ): Promise<TorrentMetainfo> {
    try {
      return await this.retry.execute(() => this.fetcher.fetch(link.url), {
        label: `fetching ${link.location}`,
        operation: 'fetch',
        signal,
      });
    } catch (error) {
      if (error instanceof RetryFailedError && error.cause instanceof TorrentFetchError) {
        if (!error.cause.transient) throw error.cause;
      }
      throw error;
    }
  }

  private addTorrentFile(
    torrent: TorrentMetainfo,
    options: AddMagnetOptions,
    signal?: AbortSignal,
  ) {
    return this.retry.execute(() => this.client.addTorrentFile(torrent, options), {
      label: `adding torrent ${torrent.hash} to qBittorrent`,
      operation: 'add',
      signal,
    });
  }

  /** The one place where the outcome of an add is logged and counted (`error`: its cause). */
  private record<T extends DownloadOutcome>(
    linkId: number | undefined,
    link: DownloadLink | null,
    outcome: T,
    error?: unknown,
  ): T {
    const id = `link_id=${linkId ?? '-'}`;
    this.metrics.countDownload(outcome.status);
    if (outcome.status === 'accepted') {
      const note = outcome.alreadyPresent ? ' (qBittorrent already held it)' : '';
      this.logger.log(`${id} hash=${outcome.hash} accepted${note}`);
      if (outcome.warning !== undefined)
        this.logger.warn(`${id} hash=${outcome.hash}: ${outcome.warning}`);
      return outcome;
    }
    const subject =
      link === null ? '' : link.kind === 'magnet' ? ` hash=${link.hash}` : ` url=${link.location}`;
    const line = `${id}${subject} ${outcome.status}: ${outcome.error}`;
    if (outcome.status === 'unsupported') this.logger.warn(line);
    else if (outcome.unexpected) this.logger.error(line, (error as Error | undefined)?.stack);
    else this.logger.error(line);
    return outcome;
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

function hashOf(link: DownloadLink): string | null {
  return link.kind === 'magnet' ? link.hash : null;
}
