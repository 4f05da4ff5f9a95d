import { RetryFailedError } from '../../retry/retry.errors.js';
import {
  isInstanceOutage,
  mayHaveReached,
  V2OnlyUnsupportedError,
} from '../wire/qbittorrent.errors.js';
import type { PoolMember } from './pool-member.js';
import type { PoolMode } from './pool-mode.js';
import {
  AddMayHaveReachedError,
  AllDrainingError,
  AllInstancesFailedError,
  HolderDownError,
  NoRoomError,
  type Unreachable,
} from './pool.errors.js';
import { placeTorrent } from './placement.js';

/** A torrent to place: its id on libtorrent 2, its v1 hash if it has one, its size (0: unknown). */
export interface NewTorrent {
  hash: string;
  v1Hash: string | null;
  size: number;
}

/**
 * Where new torrents go and what happens when an instance cannot take one: the holder rule,
 * placement (placement.ts) among the instances that can be asked, and the turn to the next.
 */
export class Failover {
  private readonly byLabel: ReadonlyMap<string, PoolMember>;

  constructor(
    private readonly members: readonly PoolMember[],
    private readonly mode: PoolMode,
  ) {
    this.byLabel = new Map(members.map((member) => [member.label, member]));
  }

  /**
   * Adds a new torrent where it belongs: to the instance that holds it already, else where
   * placement puts it, `send` trying each candidate in turn (it counts as in flight there
   * meanwhile). An instance that cannot take a v2-only torrent, or that fails as a whole (when
   * another can stand in), makes way for the next; one that may have taken it before it stopped
   * answering does not (AddMayHaveReachedError). Answers who took it.
   */
  async place<T>(
    torrent: NewTorrent,
    send: (label: string) => Promise<T>,
  ): Promise<{ label: string; value: T }> {
    const failures: Unreachable[] = [];
    let unsupported: V2OnlyUnsupportedError | undefined;
    for (const member of this.candidatesFor(torrent)) {
      const done = member.sending();
      try {
        return { label: member.label, value: await send(member.label) };
      } catch (error) {
        const cause = causeOf(error);
        if (cause instanceof V2OnlyUnsupportedError) {
          unsupported = cause;
          continue;
        }
        if (this.mode.alone || !isInstanceOutage(cause)) throw error;
        if (mayHaveReached(cause)) throw new AddMayHaveReachedError(member.label, cause as Error);
        failures.push({ label: member.label, reason: messageOf(cause) });
      } finally {
        done();
      }
    }
    if (unsupported !== undefined && failures.length === 0) throw unsupported;
    const tried = new Set(failures.map(({ label }) => label));
    const down = this.members.filter(
      ({ label, health, draining }) => health.isDown && !draining && !tried.has(label),
    );
    throw new AllInstancesFailedError(torrent.hash, [...failures, ...down.map(unreachableOf)]);
  }

  /**
   * The error an add answers when it reached `label` and the instance can no longer be asked
   * whether it holds the torrent: with one, the failure itself; among several, a reason not to
   * place it elsewhere (it would be a second copy once the instance is back).
   */
  inDoubt(label: string, error: unknown): unknown {
    const cause = causeOf(error);
    if (this.mode.alone || !isInstanceOutage(cause)) return error;
    return new AddMayHaveReachedError(label, cause as Error);
  }

  /**
   * Where a new torrent goes, best first: the instances that hold it already (a re-add, or one
   * another client added), draining or not, else where placement puts it among those that can be
   * asked and are not draining. While every holder is down it goes nowhere: a copy elsewhere would
   * be a second one once it is back.
   */
  private candidatesFor(torrent: NewTorrent): PoolMember[] {
    // A hybrid is held by its v1 hash on libtorrent 1.x (4.2.5).
    const { hash, v1Hash } = torrent;
    // One qBittorrent: whatever its view says (kept for /metrics only), the add goes to it.
    if (this.mode.alone) return this.open(torrent);
    const ids = v1Hash === null || v1Hash === hash ? [hash] : [hash, v1Hash];
    const holders = this.members.filter(
      ({ view }) => view !== null && ids.some((id) => view.holds(id)),
    );
    if (holders.length > 0) {
      const up = holders.filter((member) => !member.health.isDown);
      if (up.length > 0) return up;
      throw new HolderDownError(torrent.hash, holders.map(unreachableOf));
    }
    const available = this.open(torrent).filter((member) => !member.health.isDown);
    // Nothing to weigh: the one instance that can be asked, which keeps no view of its room.
    if (available.length <= 1 && available.every(({ view }) => view === null)) return available;
    const placement = placeTorrent(
      torrent,
      available.map(({ label, view, addsInFlight }) => ({
        label,
        room: view?.room ?? null,
        incomplete: (view?.incomplete ?? 0) + addsInFlight,
      })),
    );
    if (!placement.fits) throw new NoRoomError(torrent.hash, torrent.size, placement.rooms);
    return placement.order.map((label) => this.byLabel.get(label) as PoolMember);
  }

  /** The instances that take new torrents: those not draining. */
  private open(torrent: NewTorrent): PoolMember[] {
    const open = this.members.filter((member) => !member.draining);
    if (open.length > 0) return open;
    throw new AllDrainingError(
      torrent.hash,
      this.members.map(({ label }) => label),
    );
  }
}

/** A down instance, as errors and listings name it. */
export function unreachableOf(member: PoolMember): Unreachable {
  return { label: member.label, reason: member.downReason };
}

export function causeOf(error: unknown): unknown {
  return error instanceof RetryFailedError ? error.cause : error;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
