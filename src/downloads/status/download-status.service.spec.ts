import { beforeEach, describe, expect, it } from '@jest/globals';
import { newConfigService } from '../../config/testing/config.builder.js';
import { DownloadStatusService } from './download-status.service.js';
import { NOT_AN_INFO_HASH } from '../downloads.errors.js';
import {
  listedTorrent,
  listing,
  newTorrentRepositoryMock,
} from '../torrents/testing/torrents.builders.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe(DownloadStatusService.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let sut: DownloadStatusService;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    sut = new DownloadStatusService(torrents, newConfigService({ DEAD_TORRENT_AFTER_S: '3600' }));
  });

  it('answers each hash in order, as asked, from one listing with the known files', async () => {
    torrents.listWithFiles.mockResolvedValue({
      ...listing([listedTorrent(A, { state: 'uploading', progress: 1 })]),
      files: new Map([[A, ['Show/01.mkv']]]),
    });
    const statuses = await sut.statuses([A.toUpperCase(), B, 'nonsense', A]);
    expect(torrents.listWithFiles).toHaveBeenCalledWith({ hashes: [A, B] });
    expect(statuses.map((s) => [s.hash, s.status])).toEqual([
      [A.toUpperCase(), 'completed'],
      [B, 'not_found'],
      ['nonsense', 'not_found'],
      [A, 'completed'],
    ]);
    expect(statuses[0].files).toEqual(['/downloads/Show/01.mkv']);
    expect(statuses[2].reason).toBe(NOT_AN_INFO_HASH);
  });

  it('lists every torrent filtered by category and tag there, by status here, before files are read', async () => {
    await sut.all({ category: 'bangumi', status: 'completed' });
    const [query, keep] = torrents.listWithFiles.mock.calls[0];
    expect(query).toEqual({ category: 'bangumi', tag: undefined });
    expect(keep?.(listedTorrent(A, { state: 'stalledUP' }))).toBe(true);
    expect(keep?.(listedTorrent(A, { state: 'downloading' }))).toBe(false);
  });

  it('answers unavailable, naming the instance, a hash none of those that answered holds', async () => {
    const down = [
      {
        label: '10.0.0.3:8080',
        reason: 'qBittorrent at http://10.0.0.3:8080 is unreachable (ECONNREFUSED)',
      },
    ];
    torrents.listWithFiles.mockResolvedValue({
      ...listing([listedTorrent(A)], down),
      files: new Map(),
    });
    const [held, unknown] = await sut.statuses([A, B]);
    expect(held.status).toBe('downloading');
    expect(unknown).toMatchObject({
      hash: B,
      info_hash: B,
      status: 'unavailable',
      state: 'unavailable',
      progress: 0,
      size: 0,
      files: [],
      reason: `qBittorrent at 10.0.0.3:8080: ${down[0].reason}`,
    });
  });

  it('calls a torrent dead after DEAD_TORRENT_AFTER_S without metadata', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longAgo = now - 3601;
    torrents.listWithFiles.mockResolvedValue({
      ...listing([
        listedTorrent(A, { state: 'metaDL', added_on: longAgo, last_activity: longAgo }),
        listedTorrent(B, { state: 'metaDL', added_on: now - 60, last_activity: now - 60 }),
      ]),
      files: new Map(),
    });
    const statuses = await sut.statuses([A, B]);
    expect(statuses.map((status) => status.dead)).toEqual([true, false]);
  });
});
