import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config.js';
import { DownloadStatusService } from './download-status.service.js';
import { splitHashes } from './dto/status-query.dto.js';
import { listedTorrent, newTorrentRepositoryMock } from './testing/torrent-repository.fake.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('DownloadStatusService', () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let service: DownloadStatusService;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    const config = { get: () => ({ deadTorrentAfterS: 3600 }) };
    service = new DownloadStatusService(
      torrents,
      config as unknown as ConfigService<AppConfig, true>,
    );
  });

  it('answers each hash in order, as asked, from one listing with the known files', async () => {
    torrents.listWithFiles.mockResolvedValue({
      torrents: [listedTorrent(A, { state: 'uploading', progress: 1 })],
      files: new Map([[A, ['Show/01.mkv']]]),
    });
    const statuses = await service.statuses([A.toUpperCase(), B, 'nonsense', A]);
    expect(torrents.listWithFiles).toHaveBeenCalledWith({ hashes: [A, B] });
    expect(statuses.map((s) => [s.hash, s.status])).toEqual([
      [A.toUpperCase(), 'completed'],
      [B, 'not_found'],
      ['nonsense', 'not_found'],
      [A, 'completed'],
    ]);
    expect(statuses[0].files).toEqual(['/downloads/Show/01.mkv']);
    expect(statuses[2].reason).toMatch(/not an info-hash/);
  });

  it('lists every torrent filtered by category and tag there, by status here, before files are read', async () => {
    await service.all({ category: 'bangumi', status: 'completed' });
    const [query, keep] = torrents.listWithFiles.mock.calls[0];
    expect(query).toEqual({ category: 'bangumi', tag: undefined });
    expect(keep?.(listedTorrent(A, { state: 'stalledUP' }))).toBe(true);
    expect(keep?.(listedTorrent(A, { state: 'downloading' }))).toBe(false);
  });

  it('reads the hashes query: comma-separated, blanks dropped', () => {
    expect(splitHashes(` ${A}, ,${B},`)).toEqual([A, B]);
  });
});
