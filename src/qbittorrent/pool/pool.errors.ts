import type { HasHttpStatus } from '../../common/http-status.js';
import type { MaybeTransient } from '../../retry/transient.js';
import { instanceName } from './pool-mode.js';

/** A qBittorrent of several that could not be asked, and why. */
export interface Unreachable {
  label: string;
  reason: string;
}

/** Why something is not known now: the qBittorrents that might tell cannot be asked. */
export function unavailableReason(unreachable: readonly Unreachable[]): string {
  return unreachable.map(({ label, reason }) => `${instanceName(label)}: ${reason}`).join('; ');
}

/** A failure of the pool's: never retried (retrying is the pool's own decision). */
abstract class PoolError extends Error implements HasHttpStatus, MaybeTransient {
  readonly transient = false;
  abstract readonly httpStatus: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A .torrent of known size that fits on no qBittorrent: refused, added nowhere, so that the core's
 * cascade tries its next downloader. Answered 507 Insufficient Storage.
 */
export class NoRoomError extends PoolError {
  readonly httpStatus = 507;

  constructor(
    readonly hash: string,
    readonly size: number,
    rooms: { label: string; room: number }[],
  ) {
    super(
      `no qBittorrent has room for torrent ${hash} (${gibibytes(size)}): ${rooms
        .map(({ label, room }) => `${label} has ${gibibytes(Math.max(room, 0))} left`)
        .join(', ')}`,
    );
  }
}

/** Every qBittorrent is named in QBITTORRENT_DRAIN: a new torrent goes nowhere. */
export class AllDrainingError extends PoolError {
  readonly httpStatus = 500;

  constructor(
    readonly hash: string,
    labels: readonly string[],
  ) {
    super(
      `no qBittorrent takes new torrents: every one is draining (QBITTORRENT_DRAIN: ` +
        `${labels.join(', ')}); torrent ${hash} was not added`,
    );
  }
}

/** No qBittorrent of several could take a torrent: each was tried, each failed as it says. */
export class AllInstancesFailedError extends PoolError {
  readonly httpStatus = 500;

  constructor(
    readonly hash: string,
    failures: readonly Unreachable[],
  ) {
    super(`no qBittorrent could take torrent ${hash}: ${unavailableReason(failures)}`);
  }
}

/**
 * A qBittorrent of several stopped answering while it was adding a torrent (sent, no answer; or
 * answered, then not there to confirm it): it may hold the torrent once it is back, so the torrent
 * is not placed elsewhere, where it would become a second copy.
 */
export class AddMayHaveReachedError extends PoolError {
  readonly httpStatus = 500;

  constructor(
    readonly label: string,
    cause: Error,
  ) {
    super(
      `${instanceName(label)} stopped answering while adding the torrent (${cause.message}): ` +
        'not added elsewhere, which would make a second copy once it is back; send it again later',
    );
  }
}

/**
 * A torrent added again while every qBittorrent that holds it is down: it is not placed elsewhere,
 * where it would become a second copy once the holder is back.
 */
export class HolderDownError extends PoolError {
  readonly httpStatus = 500;

  constructor(hash: string, holders: readonly Unreachable[]) {
    super(
      `torrent ${hash} is held by a qBittorrent that cannot be reached now (${unavailableReason(holders)}): ` +
        'not added elsewhere, which would make a second copy once it is back; send it again later',
    );
  }
}

function gibibytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
