import { describe, expect, it } from '@jest/globals';
import { type PlacementCandidate, placeTorrent, ROOM_TIE_BYTES, score } from './placement.js';

const GiB = 1024 ** 3;
const A = 'a'.repeat(40);

const at = (label: string, room: number | null, incomplete = 0): PlacementCandidate => ({
  label,
  room,
  incomplete,
});

/** The two labels of `hash` in the order rendezvous hashing ranks them. */
const byScore = (hash: string, labels: string[]) =>
  [...labels].sort((x, y) => score(y, hash) - score(x, hash));

describe(placeTorrent.name, () => {
  it.each<[string, { hash: string; size: number }, PlacementCandidate[], string[]]>([
    [
      'the most room first',
      { hash: A, size: 0 },
      [at('a:1', 5 * GiB), at('b:1', 50 * GiB), at('c:1', 20 * GiB)],
      ['b:1', 'c:1', 'a:1'],
    ],
    [
      'within 1 GiB of the most room: fewest incomplete first',
      { hash: A, size: 0 },
      [at('a:1', 50 * GiB, 3), at('b:1', 50 * GiB - ROOM_TIE_BYTES, 1), at('c:1', 10 * GiB, 0)],
      ['b:1', 'a:1', 'c:1'],
    ],
    [
      'just past 1 GiB: room wins over fewer incomplete',
      { hash: A, size: 0 },
      [at('a:1', 50 * GiB, 3), at('b:1', 50 * GiB - ROOM_TIE_BYTES - 1, 0)],
      ['a:1', 'b:1'],
    ],
    [
      'a free space not known yet counts as the most room',
      { hash: A, size: 0 },
      [at('a:1', 50 * GiB, 2), at('b:1', null, 1)],
      ['b:1', 'a:1'],
    ],
    [
      'a .torrent goes only where it fits',
      { hash: A, size: 30 * GiB },
      [at('a:1', 100 * GiB), at('b:1', 29 * GiB), at('c:1', null, 1)],
      ['a:1', 'c:1'],
    ],
    [
      'a magnet (size unknown) goes even where there is no room left',
      { hash: A, size: 0 },
      [at('a:1', -5 * GiB)],
      ['a:1'],
    ],
  ])('%s', (_case, torrent, candidates, order) => {
    expect(placeTorrent(torrent, candidates)).toEqual({ fits: true, order });
  });

  it('breaks a full tie by the hash, the same way on every replica, and spreads torrents', () => {
    const tied = [at('a:1', 10 * GiB), at('b:1', 10 * GiB), at('c:1', 10 * GiB)];
    expect(placeTorrent({ hash: A, size: 0 }, tied)).toEqual({
      fits: true,
      order: byScore(A, ['a:1', 'b:1', 'c:1']),
    });
    expect(placeTorrent({ hash: A, size: 0 }, [...tied].reverse())).toEqual(
      placeTorrent({ hash: A, size: 0 }, tied),
    );
    const firsts = new Set(
      Array.from({ length: 60 }, (_, i) => {
        const placed = placeTorrent({ hash: i.toString(16).padStart(40, '0'), size: 0 }, tied);
        return placed.fits ? placed.order[0] : '';
      }),
    );
    expect(firsts).toEqual(new Set(['a:1', 'b:1', 'c:1']));
  });

  it('refuses a .torrent that fits nowhere, naming each room', () => {
    expect(
      placeTorrent({ hash: A, size: 30 * GiB }, [at('a:1', 20 * GiB), at('b:1', -1 * GiB)]),
    ).toEqual({
      fits: false,
      rooms: [
        { label: 'a:1', room: 20 * GiB },
        { label: 'b:1', room: -1 * GiB },
      ],
    });
  });
});
