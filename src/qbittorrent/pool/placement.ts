import { createHash } from 'node:crypto';

/** Instances within this much of the most room count as equal. */
export const ROOM_TIE_BYTES = 1024 ** 3;

/** One instance that could take a new torrent, as placement weighs it. */
export interface PlacementCandidate {
  /** `host:port`. */
  label: string;
  /**
   * Bytes it can still take: free space on its default save path minus what its incomplete torrents
   * still need (ours in flight included); `null` when it does not know its free space yet.
   */
  room: number | null;
  /** Its incomplete torrents, the adds in flight to it included. */
  incomplete: number;
}

export type Placement =
  /** Where to add it, best first: the next one if the first cannot take it now. */
  | { fits: true; order: string[] }
  /** Its size is known and it fits nowhere. */
  | { fits: false; rooms: { label: string; room: number }[] };

/**
 * Where a new torrent goes, as every replica of the service decides it from the same facts: the
 * instance with the most room; among those within ROOM_TIE_BYTES of it, the one with the fewest
 * incomplete torrents; after that, rendezvous hashing of the torrent's hash (each instance scores
 * `hash(label, torrent)`, the highest wins), so that equals share new torrents evenly and never by
 * who asks. A torrent of known size (a .torrent file) goes only where it fits; a magnet's size is
 * unknown until its metadata arrives (`size` 0). An instance that does not know its free space is
 * not full: it counts as having the most room.
 */
export function placeTorrent(
  torrent: { hash: string; size: number },
  candidates: readonly PlacementCandidate[],
): Placement {
  const fitting = candidates.filter(
    (candidate) => torrent.size <= 0 || candidate.room === null || candidate.room >= torrent.size,
  );
  if (fitting.length === 0 && candidates.length > 0) {
    return {
      fits: false,
      rooms: candidates.map(({ label, room }) => ({ label, room: room ?? 0 })),
    };
  }
  const order: string[] = [];
  let remaining = fitting;
  while (remaining.length > 0) {
    const known = remaining.flatMap((candidate) =>
      candidate.room === null ? [] : [candidate.room],
    );
    const most = known.length === 0 ? -Infinity : Math.max(...known);
    const equals = remaining.filter(
      (candidate) => candidate.room === null || candidate.room >= most - ROOM_TIE_BYTES,
    );
    equals.sort(
      (a, b) =>
        a.incomplete - b.incomplete || score(b.label, torrent.hash) - score(a.label, torrent.hash),
    );
    order.push(...equals.map((candidate) => candidate.label));
    remaining = remaining.filter((candidate) => !equals.includes(candidate));
  }
  return { fits: true, order };
}

/** The rendezvous score of an instance for a torrent: the same on every replica. */
export function score(label: string, hash: string): number {
  return createHash('sha256').update(`${label}\n${hash}`).digest().readUInt32BE(0);
}
