import { beforeEach, describe, expect, it } from '@jest/globals';
import { TorrentNotFoundError } from './torrent-not-found.error.js';
import { TorrentControlService } from './torrent-control.service.js';
import { listedTorrent, newTorrentRepositoryMock } from './testing/torrent-repository.fake.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('TorrentControlService', () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let control: TorrentControlService;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    control = new TorrentControlService(torrents);
  });

  it('pauses, then answers the state qBittorrent settled in', async () => {
    torrents.find.mockResolvedValue(listedTorrent(A));
    torrents.settle.mockResolvedValue(listedTorrent(A, { state: 'stoppedDL' }));
    expect(await control.pause(A)).toEqual({ hash: A, status: 'paused', state: 'paused' });
    expect(torrents.pause).toHaveBeenCalledWith(A);
    const [, wanted] = torrents.settle.mock.calls[0];
    expect(wanted(listedTorrent(A, { state: 'pausedDL' }))).toBe(true);
    expect(wanted(listedTorrent(A, { state: 'downloading' }))).toBe(false);
  });

  it('resumes, and answers not_found for a torrent gone meanwhile', async () => {
    torrents.find.mockResolvedValue(listedTorrent(A, { state: 'pausedDL' }));
    expect(await control.resume(A)).toEqual({ hash: A, status: 'not_found', state: 'not_found' });
    expect(torrents.resume).toHaveBeenCalledWith(A);
  });

  it('refuses to act on a torrent qBittorrent does not hold', async () => {
    await expect(control.pause(A)).rejects.toThrow(TorrentNotFoundError);
    await expect(control.delete(A, true)).rejects.toThrow(TorrentNotFoundError);
    expect(torrents.pause).not.toHaveBeenCalled();
    expect(torrents.delete).not.toHaveBeenCalled();
  });

  it('cancels what qBittorrent holds in one call and answers each hash', async () => {
    torrents.list.mockResolvedValue([listedTorrent(A)]);
    expect(await control.cancel([A, B, 42])).toEqual([
      { hash: A, status: 'cancelled', reason: null },
      { hash: B, status: 'not_found', reason: null },
      { hash: '42', status: 'failed', reason: expect.stringMatching(/not an info-hash/) },
    ]);
    expect(torrents.cancel).toHaveBeenCalledWith([A]);
  });

  it('answers the reason for each held torrent when the removal fails', async () => {
    torrents.list.mockResolvedValue([listedTorrent(A)]);
    torrents.cancel.mockRejectedValue(new Error('qBittorrent is down'));
    const [result] = await control.cancel([A]);
    expect(result.status).toBe('failed');
    expect(result.reason).toBeTruthy();
  });
});
