import { describe, expect, it } from '@jest/globals';
import { torrentIdOf } from './info-hash.js';

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
