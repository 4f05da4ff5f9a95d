import { Injectable, Logger } from '@nestjs/common';
import pLimit from 'p-limit';
import type { AddedTorrent, AddOptions } from '../qbittorrent/qbittorrent.types.js';
import { RetryAbortedError, RetryFailedError } from '../retry/retry.errors.js';
import { RetryService } from '../retry/retry.service.js';
import { TorrentFetchError } from '../torrent-file/torrent-file.errors.js';
import { TorrentFetcher } from '../torrent-file/torrent-fetcher.js';
import type { TorrentMetainfo } from '../torrent-file/torrent-file.js';
import { BatchOutages } from './batch-outages.js';
import type { DownloadLink } from './download-link.js';
import {
  type DownloadAccepted,
  type DownloadOutcome,
  failureOf,
  notAttempted,
  unconfirmed,
} from './download-outcome.js';
import { DownloadOutcomeRecorder } from './download-outcome.recorder.js';
import {
  type BatchItem,
  type DownloadItemResultDto,
  toItemResult,
} from './dto/add-downloads.dto.js';
import { BATCH_DEADLINE_MS } from './downloads.limits.js';
import { deadlineReason } from './downloads.errors.js';
import { linkTag } from './link-tag.js';
import { TorrentRepository } from './torrent.repository.js';

/** Batch items in flight at once: enough to keep qBittorrent busy, few enough not to queue on it. */
const BATCH_CONCURRENCY = 8;
const NO_PEER_SOURCE =
  'the magnet names no tracker and DHT is off in qBittorrent: it will find no peers, nor its metadata';

/** One add on its way to an outcome: decided, then confirmed, then recorded. */
interface Attempt {
  /** The batch item's url as given, for its result. */
  url: string;
  linkId: number | undefined;
  /** Null when the request was refused before its link was read. */
  link: DownloadLink | null;
  options: AddOptions;
  outcome: DownloadOutcome;
  /** What failed, for the log. */
  error?: unknown;
}

/** An add qBittorrent answered as new, with its hash and the instance that took it. */
interface NewlyAdded {
  attempt: Attempt;
  hash: string;
  instance: string;
}

/** The adds qBittorrent answered as new: to be confirmed in the list of the instance that took each. */
function newlyAdded(attempts: Attempt[]): NewlyAdded[] {
  return attempts.flatMap((attempt) =>
    attempt.outcome.status === 'accepted' && !attempt.outcome.alreadyPresent
      ? [{ attempt, hash: attempt.outcome.hash, instance: attempt.outcome.instance }]
      : [],
  );
}

/** Items grouped by the instance each belongs to, in first-seen order. */
function byInstance<T extends { instance: string }>(items: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.instance, [...(groups.get(item.instance) ?? []), item]);
  return [...groups];
}

/**
 * Adds links for the core service, one or a batch (magnets, and .torrent files fetched here):
 * each retried, confirmed in qBittorrent's list, added again once if missing, and ended in one
 * outcome that the recorder logs and counts.
 */
@Injectable()
export class DownloadAdder {
  private readonly logger = new Logger('Downloads');

  constructor(
    private readonly torrents: TorrentRepository,
    private readonly retry: RetryService,
    private readonly fetcher: TorrentFetcher,
    private readonly recorder: DownloadOutcomeRecorder,
  ) {}

  /**
   * Hands a link to qBittorrent (a .torrent URL is fetched first), retrying transient failures,
   * and records `linkId` on the torrent as the tag `link:<id>`. Accepted once qBittorrent lists
   * the torrent.
   */
  async add(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddOptions = {},
  ): Promise<DownloadOutcome> {
    const attempt = await this.attempt('', linkId, link, options);
    await this.confirm([attempt]);
    await this.flagPeerless([attempt]);
    return this.record(attempt);
  }

  /**
   * Adds each item on its own (bounded concurrency); one result per item, in order, within
   * BATCH_DEADLINE_MS. Once qBittorrent (or a .torrent host) is known down, the items that need it
   * fail at once with that reason instead of each waiting out its own retries.
   */
  async addMany(items: BatchItem[]): Promise<DownloadItemResultDto[]> {
    const deadline = AbortSignal.timeout(BATCH_DEADLINE_MS);
    const outages = new BatchOutages();
    const limit = pLimit(BATCH_CONCURRENCY);
    const attempts = await Promise.all(
      items.map((item) => limit(() => this.attemptItem(item, deadline, outages))),
    );
    await this.confirm(attempts, deadline);
    await this.flagPeerless(attempts);
    return attempts.map((attempt) => toItemResult(attempt.url, this.record(attempt)));
  }

  private async attemptItem(
    item: BatchItem,
    deadline: AbortSignal,
    outages: BatchOutages,
  ): Promise<Attempt> {
    const { url, linkId } = item;
    if ('refused' in item) {
      return {
        url,
        linkId,
        link: null,
        options: {},
        outcome: failureOf(item.refused),
        error: item.refused,
      };
    }
    const { link, options } = item;
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
    const attempt = await this.attempt(url, linkId, link, options, deadline);
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
    url: string,
    linkId: number | undefined,
    link: DownloadLink,
    options: AddOptions,
    signal?: AbortSignal,
  ): Promise<Attempt> {
    try {
      return {
        url,
        linkId,
        link,
        options,
        outcome: await this.send(linkId, link, options, signal),
      };
    } catch (error) {
      return { url, linkId, link, options, outcome: failureOf(error, hashOf(link)), error };
    }
  }

  /**
   * qBittorrent can answer `Ok.` to an add it never performs (seen after days of uptime on 5.1
   * and 5.2): every new torrent is looked for in its list, with the adds waiting at the same moment;
   * one still missing is added again once, and fails if it is still not there.
   */
  private async confirm(attempts: Attempt[], signal?: AbortSignal): Promise<void> {
    let pending = newlyAdded(attempts);
    for (let round = 1; pending.length > 0; round++) {
      const missing = await Promise.all(
        byInstance(pending).map(([instance, added]) => this.unlisted(instance, added)),
      );
      pending = missing.flat();
      if (pending.length === 0) break;
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
              attempt.url,
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
    await this.settleDuplicates(attempts, signal);
  }

  /**
   * Which of the adds an instance took it does not list (looking again for about 1 s); when it
   * cannot be asked, those adds fail with the reason.
   */
  private async unlisted(instance: string, added: NewlyAdded[]): Promise<NewlyAdded[]> {
    let listed: Set<string>;
    try {
      listed = await this.torrents.lookUntilListed(
        instance,
        added.map(({ hash }) => hash),
      );
    } catch (error) {
      for (const { attempt, hash } of added) {
        Object.assign(attempt, { outcome: failureOf(error, hash), error });
      }
      return [];
    }
    return added.filter(({ hash }) => !listed.has(hash));
  }

  /**
   * With several qBittorrents, a new torrent another instance holds too (another replica added
   * the same link at the same moment) is answered from the copy that stays, tagged with its link.
   */
  private async settleDuplicates(attempts: Attempt[], signal?: AbortSignal): Promise<void> {
    for (const [instance, added] of byInstance(newlyAdded(attempts))) {
      const kept = await this.torrents
        .settleDuplicates(
          instance,
          added.map(({ hash }) => hash),
        )
        .catch(() => new Map<string, string>());
      for (const { attempt, hash } of added) {
        const keeper = kept.get(hash);
        if (keeper === undefined || attempt.outcome.status !== 'accepted') continue;
        Object.assign(attempt.outcome, { instance: keeper, alreadyPresent: true });
        if (attempt.linkId !== undefined) {
          await this.torrents
            .addTags(keeper, hash, [linkTag(attempt.linkId)], signal)
            .catch(() => undefined);
        }
      }
    }
  }

  /**
   * Adds a warning to each accepted magnet that names no tracker while DHT is off in qBittorrent:
   * it will find no peers, nor its metadata.
   */
  private async flagPeerless(attempts: Attempt[]): Promise<void> {
    const blind = attempts.flatMap((attempt) =>
      attempt.outcome.status === 'accepted' &&
      attempt.link?.kind === 'magnet' &&
      !attempt.link.hasTrackers
        ? [{ outcome: attempt.outcome, instance: attempt.outcome.instance }]
        : [],
    );
    for (const [instance, magnets] of byInstance(blind)) {
      if (!(await this.torrents.dhtOff(instance))) continue;
      for (const { outcome } of magnets) outcome.warning = NO_PEER_SOURCE;
    }
  }

  /** Logs and counts the outcome (the recorder), and answers it. */
  private record(attempt: Attempt): DownloadOutcome {
    return this.recorder.record(attempt.linkId, attempt.link, attempt.outcome, attempt.error);
  }

  /** Adds the link, retrying; throws what finally failed. `signal` abandons the waits between attempts. */
  private async send(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddOptions,
    signal?: AbortSignal,
  ): Promise<DownloadAccepted> {
    const tags = linkId === undefined ? options.tags : [...(options.tags ?? []), linkTag(linkId)];
    const result: AddedTorrent =
      link.kind === 'magnet'
        ? await this.torrents.addMagnet(link, { ...options, tags }, signal)
        : await this.torrents.addTorrentFile(
            await this.fetch(link, signal),
            { ...options, tags },
            signal,
          );
    // qBittorrent ignores the options of a torrent it already holds: the link is tagged apart.
    if (result.alreadyPresent && linkId !== undefined) {
      await this.torrents.addTags(result.instance, result.hash, [linkTag(linkId)], signal);
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
}

function hashOf(link: DownloadLink): string | null {
  return link.kind === 'magnet' ? link.hash : null;
}
