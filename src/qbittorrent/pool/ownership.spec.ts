import { describe, expect, it } from '@jest/globals';
import { listedTorrent } from '../../downloads/torrents/testing/torrents.builders.js';
import { type Copy, isFresh, keeperOf } from './ownership.js';
import { score } from './placement.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const LABELS = ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080'];
const fresh = (label: string): Copy => ({
  label,
  torrent: listedTorrent(HASH, { progress: 0, completed: 0 }),
});
/** The labels in the order rendezvous hashing ranks them for HASH, first first. */
const ranked = [...LABELS].sort((a, b) => score(b, HASH) - score(a, HASH));

describe(keeperOf.name, () => {
  it('keeps, of fresh copies, the one rendezvous hashing ranks first, whatever the order seen', () => {
    const copies = LABELS.map(fresh);
    expect(keeperOf(HASH, copies)).toBe(ranked[0]);
    expect(keeperOf(HASH, [...copies].reverse())).toBe(ranked[0]);
  });

  it('never gives up the copy ranked first among all, whichever others a replica sees', () => {
    for (const other of ranked.slice(1)) {
      expect(keeperOf(HASH, [fresh(other), fresh(ranked[0])])).toBe(ranked[0]);
    }
    // Two that do not see it agree between themselves on the next.
    expect(keeperOf(HASH, [fresh(ranked[2]), fresh(ranked[1])])).toBe(ranked[1]);
  });

  it('keeps a copy further along over the copy ranked first', () => {
    const along = { label: ranked[2], torrent: listedTorrent(HASH, { progress: 0.3 }) };
    expect(keeperOf(HASH, [fresh(ranked[0]), along])).toBe(ranked[2]);
  });
});

describe(isFresh.name, () => {
  it('is a copy with nothing downloaded', () => {
    expect(isFresh(listedTorrent(HASH, { progress: 0, completed: 0 }))).toBe(true);
    expect(isFresh(listedTorrent(HASH, { progress: 0, completed: 16384 }))).toBe(false);
  });
});
