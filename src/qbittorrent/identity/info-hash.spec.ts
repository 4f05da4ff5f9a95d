import { describe, expect, it } from '@jest/globals';
import { torrentIdOf, torrentIdOn } from './info-hash.js';

describe(torrentIdOf.name, () => {
  it.each([
    ['C12FE1C06BBA254A9DC9F519B335AA7C1367A88A', 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'],
    // The base32 form of the same hash, as old magnet links and downloaders wrote it.
    ['YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK', 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'],
    ['yex6dqdlxisuvhoj6um3gnnkpqjwpkek', 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'],
    [`${'b'.repeat(40)}${'c'.repeat(24)}`, 'b'.repeat(40)], // v2 SHA-256: qBittorrent truncates it
  ])('%s -> %s', (value, id) => {
    expect(torrentIdOf(value)).toBe(id);
  });

  it.each(['', 'nope', '1234567890abcdef1234567890abcdef', 'g'.repeat(40), 42, null])(
    'refuses %j',
    (value) => {
      expect(torrentIdOf(value)).toBeNull();
    },
  );
});

describe(torrentIdOn.name, () => {
  const v1 = { hash: 'a'.repeat(40), v1Hash: 'a'.repeat(40), v2: false };
  const hybrid = { hash: 'b'.repeat(40), v1Hash: 'c'.repeat(40), v2: true };
  const v2Only = { hash: 'd'.repeat(40), v1Hash: null, v2: true };

  it.each([
    ['a v1 torrent', v1, true, 'a'.repeat(40)],
    ['a v1 torrent', v1, false, 'a'.repeat(40)],
    ['a hybrid', hybrid, true, 'b'.repeat(40)],
    ['a hybrid', hybrid, false, 'c'.repeat(40)],
    ['a v2-only torrent', v2Only, true, 'd'.repeat(40)],
    ['a v2-only torrent', v2Only, false, null],
  ])('%s on libtorrent 2: %s -> %s', (_name, torrent, libtorrent2, id) => {
    expect(torrentIdOn(torrent, libtorrent2)).toBe(id);
  });
});
