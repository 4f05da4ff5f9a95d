import { describe, expect, it } from '@jest/globals';
import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';
import { listedTorrent } from './testing/torrents.builders.js';
import {
  FILE_NAMES_MAX_AGE_MS,
  MAX_CACHED_TORRENTS,
  TorrentFileCache,
} from './torrent-file-cache.js';

const torrent = (hash: string, changes: Partial<TorrentInfo> = {}) =>
  listedTorrent(hash, {
    added_on: 1000,
    completion_on: -1,
    content_path: `/downloads/${hash}`,
    ...changes,
  });

const [A, B] = ['127.0.0.1:8080', '127.0.0.1:8081'];

describe(TorrentFileCache.name, () => {
  it('keeps the names while the listing shows no change', () => {
    const sut = new TorrentFileCache();
    sut.set(A, torrent('a'), ['Show/01.mkv', 'Show/02.mkv']);
    expect(sut.get(torrent('a', { state: 'uploading', progress: 0.5 }))).toEqual([
      'Show/01.mkv',
      'Show/02.mkv',
    ]);
    expect(sut.get(torrent('b'))).toBeUndefined();
  });

  it.each<[string, Partial<TorrentInfo>]>([
    ['removed and added again', { added_on: 2000 }],
    ['completed', { completion_on: 1500 }],
    ['its file or root folder renamed, or moved', { content_path: '/downloads/renamed.mkv' }],
  ])('reads them again once the torrent is %s', (_case, change) => {
    const sut = new TorrentFileCache();
    sut.set(A, torrent('a'), ['a.mkv']);
    expect(sut.get(torrent('a', change))).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it(`reads them again after ${FILE_NAMES_MAX_AGE_MS / 60_000} minutes (an inner rename shows no sign)`, () => {
    let now = 0;
    const sut = new TorrentFileCache(() => now);
    sut.set(A, torrent('a'), ['a.mkv']);
    now = FILE_NAMES_MAX_AGE_MS;
    expect(sut.get(torrent('a'))).toEqual(['a.mkv']);
    now = FILE_NAMES_MAX_AGE_MS + 1;
    expect(sut.get(torrent('a'))).toBeUndefined();
  });

  it('forgets torrents seen gone, and all but those of a complete listing', () => {
    const sut = new TorrentFileCache();
    for (const hash of ['a', 'b', 'c']) sut.set(A, torrent(hash), [`${hash}.mkv`]);
    sut.forget(['a']);
    expect(sut.size).toBe(2);
    sut.retainOnly(new Set([A]), new Set(['c']));
    expect(sut.size).toBe(1);
    expect(sut.get(torrent('c'))).toEqual(['c.mkv']);
  });

  it('keeps what it read from an instance that did not answer the complete listing', () => {
    const sut = new TorrentFileCache();
    sut.set(A, torrent('a'), ['a.mkv']);
    sut.set(B, torrent('b'), ['b.mkv']);
    sut.retainOnly(new Set([A]), new Set());
    expect(sut.get(torrent('a'))).toBeUndefined();
    expect(sut.get(torrent('b'))).toEqual(['b.mkv']);
  });

  it(`holds at most ${MAX_CACHED_TORRENTS} torrents, the oldest going first`, () => {
    const sut = new TorrentFileCache();
    for (let i = 0; i <= MAX_CACHED_TORRENTS; i++) sut.set(A, torrent(`t${i}`), ['x']);
    expect(sut.size).toBe(MAX_CACHED_TORRENTS);
    expect(sut.get(torrent('t0'))).toBeUndefined();
    expect(sut.get(torrent(`t${MAX_CACHED_TORRENTS}`))).toEqual(['x']);
  });
});
