import { Injectable } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import type { AddOptions } from '../../qbittorrent/wire/qbittorrent.types.js';
import { RetryAbortedError } from '../../retry/retry.errors.js';
import { deadlineReason } from '../downloads.errors.js';
import { BATCH_DEADLINE_MS } from '../downloads.limits.js';
import type { SentAdd } from '../torrents/torrent.repository.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import { AddConfirmation } from './add-confirmation.js';
import type { AddRequest, AddResult } from './add-item.js';
import { AddSending } from './add-sending.js';
import { BatchOutages } from './batch-outages.js';
import type { DownloadLink } from './download-link.js';
import { type DownloadOutcome, failureOf, notAttempted } from './download-outcome.js';
import { DownloadOutcomeRecorder } from './download-outcome.recorder.js';
import {
  type BatchItem,
  type DownloadItemResultDto,
  toItemResult,
} from './dto/add-downloads.dto.js';
import { DuplicateSettlement } from './duplicate-settlement.js';
import { PersistenceGuard } from './persistence-guard.js';

/** Adds of a batch sent at once: enough to keep qBittorrent busy, few enough not to queue on it. */
const BATCH_CONCURRENCY = 8;
const NO_PEER_SOURCE =
  'the magnet names no tracker and DHT is off in qBittorrent: it will find no peers, nor its metadata';

/** What the items of one batch share. */
interface Batch {
  /** Ends the batch: items not finished by then fail with the reason. */
  deadline: AbortSignal;
  /** What the batch has learnt is down. */
  outages: BatchOutages;
  /** Sending is BATCH_CONCURRENCY at a time; confirming waits in the shared looks. */
  slots: LimitFunction;
}

/**
 * Adds links for the core service, one or a batch (magnets, and .torrent files fetched here). Each
 * goes through its stages, each returning what the next needs: sent where the pool places it
 * (AddSending), confirmed in its instance's list as soon as it is answered (AddConfirmation), held
 * once among several qBittorrents (DuplicateSettlement); a batch then waits until its instances had
 * time to save what they took (PersistenceGuard). Every add ends in one outcome, which the recorder
 * logs and counts.
 */
@Injectable()
export class DownloadAdder {
  constructor(
    private readonly sending: AddSending,
    private readonly confirmation: AddConfirmation,
    private readonly duplicates: DuplicateSettlement,
    private readonly persistence: PersistenceGuard,
    private readonly torrents: TorrentRepository,
    private readonly recorder: DownloadOutcomeRecorder,
  ) {}

  /**
   * Hands a link to qBittorrent, retrying transient failures, and records `linkId` on the torrent
   * as the tag `link:<id>`. Accepted once qBittorrent lists the torrent.
   */
  async add(
    linkId: number | undefined,
    link: DownloadLink,
    options: AddOptions = {},
  ): Promise<DownloadOutcome> {
    const result = await this.addOne({ url: '', linkId, link, options });
    const [flagged] = await this.flagPeerless([result]);
    return this.record(flagged);
  }

  /**
   * Adds each item on its own; one result per item, in order, within BATCH_DEADLINE_MS. Once
   * qBittorrent (or a .torrent host) is known down, the items that need it fail at once with that
   * reason instead of each waiting out its own retries.
   */
  async addMany(items: BatchItem[]): Promise<DownloadItemResultDto[]> {
    const batch: Batch = {
      deadline: AbortSignal.timeout(BATCH_DEADLINE_MS),
      outages: new BatchOutages(),
      slots: pLimit(BATCH_CONCURRENCY),
    };
    const results = await Promise.all(items.map((item) => this.addItem(item, batch)));
    const saved = await this.persistence.guard(results);
    const flagged = await this.flagPeerless(saved);
    return flagged.map((result) => toItemResult(result.url, this.record(result)));
  }

  private async addItem(item: BatchItem, batch: Batch): Promise<AddResult> {
    const { url, linkId } = item;
    if ('refused' in item) {
      return { url, linkId, link: null, outcome: failureOf(item.refused), error: item.refused };
    }
    return this.addOne({ url, linkId, link: item.link, options: item.options }, batch);
  }

  /** One add through its stages; with a batch, sent when a slot is free, and within its time. */
  private async addOne(request: AddRequest, batch?: Batch): Promise<AddResult> {
    const { url, linkId, link } = request;
    const signal = batch?.deadline;
    const ended = (outcome: DownloadOutcome, error?: unknown): AddResult => ({
      url,
      linkId,
      link,
      outcome,
      error,
    });
    const send = (): Promise<SentAdd> => this.sending.send(request, signal);
    // Learnt before the slot is given to the next item, which then fails at once if it needs it.
    const sendOrLearn = (): Promise<SentAdd> =>
      send().catch((error: unknown) => {
        batch?.outages.learn(error, link, failureOf(error));
        throw error;
      });
    const inSlot = <T>(work: () => Promise<T>): Promise<T> =>
      batch === undefined ? work() : batch.slots(work);
    try {
      const sent = await inSlot<SentAdd | DownloadOutcome>(
        () => this.givenUp(request, batch) ?? sendOrLearn(),
      );
      if ('status' in sent) return ended(sent);
      const confirmed = await this.confirmation.confirm(request, sent, () => inSlot(send), signal);
      const kept = await this.duplicates.settle(confirmed, linkId, signal);
      return {
        ...ended({
          status: 'accepted',
          hash: kept.hash,
          alreadyPresent: kept.alreadyPresent,
          instance: kept.label,
        }),
        listedAt: kept.alreadyPresent ? undefined : kept.listedAt,
      };
    } catch (error) {
      if (error instanceof RetryAbortedError && signal?.aborted === true) {
        return ended(notAttempted(deadlineReason(error.label), hashOf(link), 'timeout'));
      }
      return ended(failureOf(error, hashOf(link)), error);
    }
  }

  /** An item given up before it is sent: what it needs is known down, or the batch is out of time. */
  private givenUp(request: AddRequest, batch?: Batch): Promise<DownloadOutcome> | null {
    if (batch === undefined) return null;
    const hash = hashOf(request.link);
    const down = batch.outages.reasonFor(request.link);
    if (down !== undefined) {
      return Promise.resolve(notAttempted(`not attempted: ${down.error}`, hash, down.category));
    }
    if (batch.deadline.aborted) {
      return Promise.resolve(notAttempted(deadlineReason('not attempted'), hash, 'timeout'));
    }
    return null;
  }

  /**
   * Adds a warning to each accepted magnet that names no tracker while DHT is off in the
   * qBittorrent that took it: it will find no peers, nor its metadata.
   */
  private async flagPeerless(results: AddResult[]): Promise<AddResult[]> {
    return Promise.all(
      results.map(async (result) => {
        const { outcome, link } = result;
        if (outcome.status !== 'accepted' || link?.kind !== 'magnet' || link.hasTrackers) {
          return result;
        }
        if (!(await this.torrents.dhtOff(outcome.instance))) return result;
        return { ...result, outcome: { ...outcome, warning: NO_PEER_SOURCE } };
      }),
    );
  }

  /** Logs and counts the outcome (the recorder), and answers it. */
  private record(result: AddResult): DownloadOutcome {
    return this.recorder.record(result.linkId, result.link, result.outcome, result.error);
  }
}

function hashOf(link: DownloadLink): string | null {
  return link.kind === 'magnet' ? link.hash : null;
}
