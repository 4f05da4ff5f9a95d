import { beforeEach, describe, expect, it } from '@jest/globals';
import { QbittorrentUnavailableError } from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import {
  NOT_AN_INFO_HASH,
  TorrentNotFoundError,
  TorrentUnavailableError,
} from '../downloads.errors.js';
import {
  INSTANCE,
  listedTorrent,
  listing,
  newTorrentRepositoryMock,
} from '../torrents/testing/torrents.builders.js';
import { TorrentControlService } from './torrent-control.service.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const OTHER = '10.0.0.2:8080';
const DOWN = { label: '10.0.0.3:8080', reason: 'unreachable (ECONNREFUSED)' };

describe(TorrentControlService.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let sut: TorrentControlService;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    sut = new TorrentControlService(torrents);
  });

  it('pauses, then answers the state qBittorrent settled in', async () => {
    torrents.find.mockResolvedValue(listing([listedTorrent(A)]));
    torrents.lookUntil.mockResolvedValue(listedTorrent(A, { state: 'stoppedDL' }));
    expect(await sut.pause(A)).toEqual({ hash: A, status: 'paused', state: 'paused' });
    expect(torrents.pause).toHaveBeenCalledWith(A, [INSTANCE]);
    const [instance, , wanted] = torrents.lookUntil.mock.calls[0];
    expect(instance).toBe(INSTANCE);
    expect(wanted(listedTorrent(A, { state: 'pausedDL' }))).toBe(true);
    expect(wanted(listedTorrent(A, { state: 'downloading' }))).toBe(false);
  });

  it('resumes on every instance that holds it, and answers not_found for a torrent gone meanwhile', async () => {
    torrents.find.mockResolvedValue(
      listing([listedTorrent(A, { state: 'pausedDL' })], [], { [A]: [INSTANCE, OTHER] }),
    );
    expect(await sut.resume(A)).toEqual({ hash: A, status: 'not_found', state: 'not_found' });
    expect(torrents.resume).toHaveBeenCalledWith(A, [INSTANCE, OTHER]);
  });

  it('refuses to act on a torrent no qBittorrent holds', async () => {
    await expect(sut.pause(A)).rejects.toThrow(TorrentNotFoundError);
    await expect(sut.delete(A, true)).rejects.toThrow(TorrentNotFoundError);
    expect(torrents.pause).not.toHaveBeenCalled();
    expect(torrents.delete).not.toHaveBeenCalled();
  });

  it('does not call a torrent missing while the instance that may hold it cannot be asked', async () => {
    torrents.find.mockResolvedValue(listing([], [DOWN]));
    await expect(sut.delete(A, false)).rejects.toThrow(TorrentUnavailableError);
    await expect(sut.pause(A)).rejects.toMatchObject({ httpStatus: 503 });
    expect(torrents.delete).not.toHaveBeenCalled();
  });

  it('cancels what the qBittorrents hold in one call each and answers each hash', async () => {
    const held = listing([listedTorrent(A)]);
    torrents.list.mockResolvedValue(held);
    expect(await sut.cancel([A, B, 42])).toEqual([
      { hash: A, status: 'cancelled', reason: null },
      { hash: B, status: 'not_found', reason: null },
      { hash: '42', status: 'failed', reason: NOT_AN_INFO_HASH },
    ]);
    expect(torrents.cancel).toHaveBeenCalledWith(held.holders);
  });

  it('fails, with the reason, a hash no one answering holds while an instance cannot be asked', async () => {
    torrents.list.mockResolvedValue(listing([listedTorrent(A)], [DOWN]));
    expect(await sut.cancel([A, B])).toEqual([
      { hash: A, status: 'cancelled', reason: null },
      { hash: B, status: 'failed', reason: `qBittorrent at ${DOWN.label}: ${DOWN.reason}` },
    ]);
  });

  it('answers why for each held torrent when the removal fails', async () => {
    torrents.list.mockResolvedValue(listing([listedTorrent(A)]));
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
