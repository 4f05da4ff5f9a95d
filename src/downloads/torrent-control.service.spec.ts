import { beforeEach, describe, expect, it } from '@jest/globals';
import { QbittorrentUnavailableError } from '../qbittorrent/qbittorrent.errors.js';
import { RetryFailedError } from '../retry/retry.errors.js';
import { NOT_AN_INFO_HASH, TorrentNotFoundError } from './downloads.errors.js';
import { listedTorrent, newTorrentRepositoryMock } from './testing/downloads.builders.js';
import { TorrentControlService } from './torrent-control.service.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe(TorrentControlService.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let sut: TorrentControlService;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    sut = new TorrentControlService(torrents);
  });

  it('pauses, then answers the state qBittorrent settled in', async () => {
    torrents.find.mockResolvedValue(listedTorrent(A));
    torrents.lookUntil.mockResolvedValue(listedTorrent(A, { state: 'stoppedDL' }));
    expect(await sut.pause(A)).toEqual({ hash: A, status: 'paused', state: 'paused' });
    expect(torrents.pause).toHaveBeenCalledWith(A);
    const [, wanted] = torrents.lookUntil.mock.calls[0];
    expect(wanted(listedTorrent(A, { state: 'pausedDL' }))).toBe(true);
    expect(wanted(listedTorrent(A, { state: 'downloading' }))).toBe(false);
  });

  it('resumes, and answers not_found for a torrent gone meanwhile', async () => {
    torrents.find.mockResolvedValue(listedTorrent(A, { state: 'pausedDL' }));
    expect(await sut.resume(A)).toEqual({ hash: A, status: 'not_found', state: 'not_found' });
    expect(torrents.resume).toHaveBeenCalledWith(A);
  });

  it('refuses to act on a torrent qBittorrent does not hold', async () => {
    await expect(sut.pause(A)).rejects.toThrow(TorrentNotFoundError);
    await expect(sut.delete(A, true)).rejects.toThrow(TorrentNotFoundError);
    expect(torrents.pause).not.toHaveBeenCalled();
    expect(torrents.delete).not.toHaveBeenCalled();
  });

  it('cancels what qBittorrent holds in one call and answers each hash', async () => {
    torrents.list.mockResolvedValue([listedTorrent(A)]);
    expect(await sut.cancel([A, B, 42])).toEqual([
      { hash: A, status: 'cancelled', reason: null },
      { hash: B, status: 'not_found', reason: null },
      { hash: '42', status: 'failed', reason: NOT_AN_INFO_HASH },
    ]);
    expect(torrents.cancel).toHaveBeenCalledWith([A]);
  });

  it('answers why for each held torrent when the removal fails', async () => {
    torrents.list.mockResolvedValue([listedTorrent(A)]);
    const down = new QbittorrentUnavailableError('http://qbittorrent:8080', 'ECONNREFUSED');
    torrents.cancel.mockRejectedValue(new RetryFailedError('cancelling 1 torrent', 3, true, down));
    expect(await sut.cancel([A, B])).toEqual([
      {
        hash: A,
        status: 'failed',
        reason:
          'Cancelling 1 torrent failed after 3 attempts: qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
      },
      { hash: B, status: 'not_found', reason: null },
    ]);
  });
});
