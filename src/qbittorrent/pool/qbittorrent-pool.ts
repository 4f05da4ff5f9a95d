import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/app.config.js';
import { RetryService } from '../../retry/retry.service.js';
import { isTransient } from '../../retry/transient.js';
import {
  type QbittorrentInstance,
  QbittorrentInstanceFactory,
} from '../instance/qbittorrent-instance.js';
import type { QbittorrentClient } from '../wire/qbittorrent.client.js';
import { isInstanceOutage } from '../wire/qbittorrent.errors.js';
import { causeOf, Failover, messageOf, type NewTorrent, unreachableOf } from './failover.js';
import { InstanceMonitor } from './instance-monitor.js';
import { InstanceView } from './instance-view.js';
import { type Readiness, describeEach, describeOne } from './pool-readiness.js';
import { ONE_QBITTORRENT, type PoolMode, SEVERAL_QBITTORRENTS } from './pool-mode.js';
import { connectEach } from './pool-connect.js';
import { PoolMember } from './pool-member.js';
import { type InstanceSnapshot, snapshotOf } from './pool-snapshot.js';
import { PoolMetrics } from './pool.metrics.js';
import type { Unreachable } from './pool.errors.js';

export type { InstanceSnapshot, NewTorrent };

/** What asking every instance that can be asked came to. */
export interface Fanout<T> {
  answers: { label: string; value: T }[];
  /** The instances that could not be asked, and why (a failure of the only one is thrown instead). */
  unreachable: Unreachable[];
}

/** How a call is named in logs, metrics and its final error. */
export interface CallOptions {
  /** "reading torrents from qBittorrent at host:port": see nameOf. */
  what: string;
  /** A short fixed name for metrics ("add", "status"...). */
  operation: string;
  signal?: AbortSignal;
}

/**
 * Every qBittorrent the service drives (QBITTORRENT_URL), and the one place that knows how many
 * there are and what follows from it (PoolMode): how a call is retried, which instances a listing
 * asks, where a new torrent goes (placement and the holder rule), failover, and which instances are
 * down. It alone holds and changes what it knows of each instance: health, adds in flight and,
 * with several, a view of what each holds and its room, kept current in the background. The rest
 * of the service asks it and tells it what happened (held, released); it never sees a view.
 *
 * With one qBittorrent its calls and answers are those of a single qBittorrent: nothing runs in
 * the background while it answers, and every call is made, and retried, as if there could be no
 * other. Whichever the number, one that is down is looked at again until it answers (onBack).
 */
@Injectable()
export class QbittorrentPool implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Qbittorrent');
  private readonly mode: PoolMode;
  private readonly members: readonly PoolMember[];
  private readonly byLabel: ReadonlyMap<string, PoolMember>;
  private readonly monitors: readonly InstanceMonitor[];
  private readonly failover: Failover;
  private readonly backListeners: ((label: string) => void)[] = [];

  constructor(
    factory: QbittorrentInstanceFactory,
    config: ConfigService<AppConfig, true>,
    private readonly retry: RetryService,
    metrics: PoolMetrics,
  ) {
    const configs = config.get('qbittorrent', { infer: true }).instances;
    // The one question of how many there are.
    this.mode = configs.length === 1 ? ONE_QBITTORRENT : SEVERAL_QBITTORRENTS;
    this.members = configs.map(
      (instance) =>
        new PoolMember(
          factory.create(instance),
          this.mode.name(instance.label),
          this.mode.keepsInView ? new InstanceView() : null,
        ),
    );
    this.byLabel = new Map(this.members.map((member) => [member.label, member]));
    const back = (label: string) => () => {
      for (const listener of this.backListeners) listener(label);
    };
    this.monitors = this.members.map(
      (member) =>
        new InstanceMonitor(member, member.view, this.logger, back(member.label), this.mode.alone),
    );
    this.failover = new Failover(this.members, this.mode);
    metrics.observe(this.members, () => this.keepAllInView());
  }

  /** Every qBittorrent, in the order of QBITTORRENT_URL. */
  get instances(): QbittorrentInstance[] {
    return this.members.map((member) => member.instance);
  }

  /** How messages name the instance `label`: "qBittorrent", or "qBittorrent at host:port". */
  nameOf(label: string): string {
    return this.member(label).name;
  }

  /**
   * One call to the instance `label` through the retries: a transient failure is tried again,
   * except, when another instance can stand in, a failure of the instance as a whole (the caller
   * turns to another). Its health follows from each attempt.
   */
  call<T>(
    label: string,
    work: (client: QbittorrentClient) => Promise<T>,
    { what, operation, signal }: CallOptions,
  ): Promise<T> {
    const member = this.member(label);
    return this.retry.execute(() => member.call(work), {
      label: what,
      operation,
      signal,
      ...(!this.mode.alone && {
        shouldRetry: (error: unknown) => isTransient(error) && !isInstanceOutage(error),
      }),
    });
  }

  /** One attempt, not retried: for what answers at once (readiness, the login at start-up). */
  callOnce<T>(label: string, work: (client: QbittorrentClient) => Promise<T>): Promise<T> {
    return this.member(label).call(work);
  }

  /**
   * Runs `work` for every instance that can be asked, in parallel. One alone is always asked, and
   * its failure is thrown; among several, a known-down one is not asked and one that fails is
   * reported unreachable, while the others answer.
   */
  async onEach<T>(work: (label: string) => Promise<T>): Promise<Fanout<T>> {
    const unreachable: Unreachable[] = [];
    const answers: { label: string; value: T }[] = [];
    await Promise.all(
      this.members.map(async (member) => {
        const { label } = member;
        if (this.mode.alone) {
          answers.push({ label, value: await work(label) });
          return;
        }
        if (member.health.isDown) {
          unreachable.push(unreachableOf(member));
          return;
        }
        try {
          answers.push({ label, value: await work(label) });
        } catch (error) {
          unreachable.push({ label, reason: messageOf(causeOf(error)) });
        }
      }),
    );
    return { answers, unreachable };
  }

  /**
   * Adds a new torrent where it belongs, `send` trying each candidate in turn (Failover). Answers
   * who took it.
   */
  place<T>(
    torrent: NewTorrent,
    send: (label: string) => Promise<T>,
  ): Promise<{ label: string; value: T }> {
    return this.failover.place(torrent, send);
  }

  /**
   * The error an add answers when it reached `label` and the instance can no longer be asked
   * whether it holds the torrent (Failover).
   */
  inDoubt(label: string, error: unknown): unknown {
    return this.failover.inDoubt(label, error);
  }

  /** The instances up other than `label`: where a second copy of a torrent it took could be. */
  othersThan(label: string): string[] {
    return this.members
      .filter((member) => member.label !== label && !member.health.isDown)
      .map((member) => member.label);
  }

  /**
   * Calls `listener` each time an instance that was down answers again: at once with one
   * qBittorrent; with several, once what it holds has been read in full (sharedWithOthers).
   */
  onBack(listener: (label: string) => void): void {
    this.backListeners.push(listener);
  }

  /** The torrents `label` lists that another instance holds too (with several: their views). */
  sharedWithOthers(label: string): string[] {
    const view = this.member(label).view;
    if (view === null) return [];
    const others = this.members.filter((member) => member.label !== label);
    return [...view.listedHashes()].filter((hash) =>
      others.some((other) => other.view?.holds(hash) === true),
    );
  }

  /** `label` holds these torrents (our add, or its listing); `bytes` of ours count against its room. */
  held(label: string, hashes: Iterable<string>, bytes = 0): void {
    const view = this.member(label).view;
    if (view !== null) for (const hash of hashes) view.hold(hash, bytes);
  }

  /** `label` listed these torrents: they are its own from now on. */
  listed(label: string, torrents: readonly { hash: string }[]): void {
    const view = this.member(label).view;
    if (view !== null) for (const { hash } of torrents) view.hold(hash);
  }

  /** `label` no longer holds these torrents (removed). */
  released(label: string, hashes: Iterable<string>): void {
    const view = this.member(label).view;
    if (view !== null) for (const hash of hashes) view.drop(hash);
  }

  /** Adds on their way to `label` now. */
  addsInFlight(label: string): number {
    return this.member(label).addsInFlight;
  }

  /** Whether `label` answered a call made at `time` (performance.now()) or later. */
  answeredSince(label: string, time: number): boolean {
    return this.member(label).answeredSince(time);
  }

  /** Whether DHT is known to be off on `label` (its settings, read at most once a minute). */
  dhtOff(label: string): Promise<boolean> {
    return this.member(label).instance.settings.dhtOff();
  }

  /** Whether an instance can take adds, and what readiness says of each. */
  readiness(): Promise<Readiness> {
    return this.mode.alone ? describeOne(this.members[0]) : describeEach(this.members);
  }

  /**
   * Logs in to every instance, in the background, and names the settings of each that can lose
   * downloads (connectEach).
   */
  connect(): void {
    connectEach(this.members, this.mode.alone, this.logger);
  }

  /**
   * What each instance kept in view holds, as last read, and its queueing settings as last known
   * (read at most once a minute, without waiting): for /metrics. An instance not read yet is left
   * out (with one qBittorrent, nothing is kept in view before /metrics is first scraped).
   */
  snapshots(): InstanceSnapshot[] {
    return this.members.flatMap(snapshotOf);
  }

  /**
   * Keeps every instance in view from now on: with one qBittorrent, once /metrics is scraped (its
   * room and torrents are then read as often as the budget allows); with several, already so.
   */
  keepAllInView(): void {
    for (const [index, member] of this.members.entries()) {
      if (member.view !== null) continue;
      const view = new InstanceView();
      member.keepInView(view);
      this.monitors[index].watch(view);
    }
  }

  onApplicationBootstrap(): void {
    for (const monitor of this.monitors) monitor.start();
  }

  /** After the HTTP server has finished the requests in flight, which may still use them. */
  onApplicationShutdown(): void {
    for (const monitor of this.monitors) monitor.stop();
    for (const member of this.members) member.instance.close();
  }

  private member(label: string): PoolMember {
    const member = this.byLabel.get(label);
    if (member === undefined) throw new Error(`no qBittorrent ${label}`);
    return member;
  }
}
