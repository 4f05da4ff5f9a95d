import { describe, expect, it } from '@jest/globals';
import type { TorrentInfo } from '../qbittorrent/qbittorrent.types.js';
import {
  FILE_NAMES_MAX_AGE_MS,
  MAX_CACHED_TORRENTS,
  TorrentFileCache,
} from './torrent-file-cache.js';

const torrent = (hash: string, changes: Partial<TorrentInfo> = {}) =>
  ({
    hash,
    added_on: 1000,
    completion_on: -1,
    content_path: `/downloads/${hash}`,
    ...changes,
  }) as TorrentInfo;

describe('TorrentFileCache', () => {
  it('keeps the names while the listing shows no change', () => {
    const cache = new TorrentFileCache();
    cache.set(torrent('a'), ['Show/01.mkv', 'Show/02.mkv']);
    expect(cache.get(torrent('a', { state: 'uploading', progress: 0.5 }))).toEqual([
      'Show/01.mkv',
      'Show/02.mkv',
    ]);
    expect(cache.get(torrent('b'))).toBeUndefined();
  });

  it.each<[string, Partial<TorrentInfo>]>([
    ['removed and added again', { added_on: 2000 }],
    ['completed', { completion_on: 1500 }],
    ['its file or root folder renamed, or moved', { content_path: '/downloads/renamed.mkv' }],
  ])('reads them again once the torrent is %s', (_case, change) => {
    const cache = new TorrentFileCache();
    cache.set(torrent('a'), ['a.mkv']);
    expect(cache.get(torrent('a', change))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it(`reads them again after ${FILE_NAMES_MAX_AGE_MS / 60_000} minutes (an inner rename shows no sign)`, () => {
    let now = 0;
    const cache = new TorrentFileCache(() => now);
    cache.set(torrent('a'), ['a.mkv']);
    now = FILE_NAMES_MAX_AGE_MS;
    expect(cache.get(torrent('a'))).toEqual(['a.mkv']);
    now = FILE_NAMES_MAX_AGE_MS + 1;
    expect(cache.get(torrent('a'))).toBeUndefined();
  });

  it('forgets torrents seen gone, and all but those of a complete listing', () => {
    const cache = new TorrentFileCache();
    for (const hash of ['a', 'b', 'c']) cache.set(torrent(hash), [`${hash}.mkv`]);
    cache.forget(['a']);
    expect(cache.size).toBe(2);
    cache.retainOnly(new Set(['c']));
    expect(cache.size).toBe(1);
    expect(cache.get(torrent('c'))).toEqual(['c.mkv']);
  });

  it(`holds at most ${MAX_CACHED_TORRENTS} torrents, the oldest going first`, () => {
    const cache = new TorrentFileCache();
    for (let i = 0; i <= MAX_CACHED_TORRENTS; i++) cache.set(torrent(`t${i}`), ['x']);
    expect(cache.size).toBe(MAX_CACHED_TORRENTS);
    expect(cache.get(torrent('t0'))).toBeUndefined();
    expect(cache.get(torrent(`t${MAX_CACHED_TORRENTS}`))).toEqual(['x']);
  });
});
