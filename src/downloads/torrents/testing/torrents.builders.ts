import { jest } from '@jest/globals';
import type { TorrentInfo } from '../../../qbittorrent/wire/qbittorrent.types.js';
import type { Unreachable } from '../../../qbittorrent/pool/pool.errors.js';
import type { TorrentListing } from '../torrent-lists.js';
import type { TorrentRepository } from '../torrent.repository.js';

/** A listed torrent with the fields the services read; `changes` on top. */
export function listedTorrent(hash: string, changes: Partial<TorrentInfo> = {}): TorrentInfo {
  return {
    hash,
    name: `episode ${hash.slice(0, 4)}`,
    state: 'downloading',
    progress: 0.5,
    size: 100,
    total_size: 100,
    completed: 50,
    downloaded: 50,
    amount_left: 50,
    dlspeed: 10,
    eta: 5,
    save_path: '/downloads',
    content_path: `/downloads/episode ${hash.slice(0, 4)}`,
    category: '',
    tags: '',
    added_on: 1_700_000_000,
    completion_on: -1,
    ...changes,
  };
}

/**
 * The repository of the downloads feature with every method a jest mock, for the unit specs of
 * the services above it (in the manner of the immich server's repository mocks).
 */
export function newTorrentRepositoryMock() {
  const mock = {
    list: jest.fn<TorrentRepository['list']>().mockResolvedValue(listing()),
    find: jest.fn<TorrentRepository['find']>().mockResolvedValue(listing()),
    listWithFiles: jest
      .fn<TorrentRepository['listWithFiles']>()
      .mockResolvedValue({ ...listing(), files: new Map() }),
    send: jest.fn<TorrentRepository['send']>(),
    listed: jest.fn<TorrentRepository['listed']>().mockResolvedValue(new Set()),
    lookUntil: jest.fn<TorrentRepository['lookUntil']>().mockResolvedValue(undefined),
    lookAt: jest.fn<TorrentRepository['lookAt']>().mockResolvedValue([]),
    listOnce: jest.fn<TorrentRepository['listOnce']>().mockResolvedValue([]),
    addTags: jest.fn<TorrentRepository['addTags']>().mockResolvedValue(undefined),
    pause: jest.fn<TorrentRepository['pause']>().mockResolvedValue(undefined),
    resume: jest.fn<TorrentRepository['resume']>().mockResolvedValue(undefined),
    delete: jest.fn<TorrentRepository['delete']>().mockResolvedValue(undefined),
    cancel: jest.fn<TorrentRepository['cancel']>().mockResolvedValue(undefined),
    remove: jest.fn<TorrentRepository['remove']>().mockResolvedValue(undefined),
    dhtOff: jest.fn<TorrentRepository['dhtOff']>().mockResolvedValue(false),
  };
  return mock as typeof mock & TorrentRepository;
}

/** The label of the one qBittorrent of the mocked repository. */
export const INSTANCE = '127.0.0.1:8080';

/**
 * What the repository lists: `torrents`, each held by `INSTANCE` unless `holders` says otherwise,
 * and the instances that could not be asked.
 */
export function listing(
  torrents: TorrentInfo[] = [],
  unreachable: Unreachable[] = [],
  holders: Record<string, string[]> = {},
): TorrentListing {
  return {
    torrents,
    holders: new Map(torrents.map((t) => [t.hash, holders[t.hash] ?? [INSTANCE]])),
    unreachable,
  };
}
