import { beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { QbittorrentSettings } from '../qbittorrent/qbittorrent-settings.service.js';
import { TorrentRejectedError } from '../qbittorrent/qbittorrent.errors.js';
import type { RetryService } from '../retry/retry.service.js';
import type { TorrentFetcher } from '../torrent-file/torrent-fetcher.js';
import type { TorrentMetainfo } from '../torrent-file/torrent-file.js';
import { DownloadAdder } from './download-adder.js';
import { parseDownloadLink } from './download-link.js';
import { DownloadOutcomeRecorder } from './download-outcome.recorder.js';
import { parseBatchItem } from './dto/add-downloads.dto.js';
import { newTorrentRepositoryMock } from './testing/torrent-repository.fake.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const OTHER = 'dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c';
const magnet = (hash = HASH) => parseDownloadLink(`magnet:?xt=urn:btih:${hash}`);

describe('DownloadAdder', () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let fetcher: { fetch: jest.Mock<TorrentFetcher['fetch']> };
  let dhtOff: boolean;
  let counted: string[];
  let adder: DownloadAdder;

  beforeAll(() => {
    Logger.overrideLogger(false); // the outcome lines; the recorder's counts are asserted instead
  });

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    torrents.addMagnet.mockImplementation((link) =>
      Promise.resolve({ hash: link.hash, alreadyPresent: false }),
    );
    torrents.listed.mockImplementation((hashes) => Promise.resolve(new Set(hashes)));
    fetcher = { fetch: jest.fn<TorrentFetcher['fetch']>() };
    dhtOff = false;
    counted = [];
    const retry = { execute: <T>(work: () => Promise<T>) => work() } as unknown as RetryService;
    const settings = { dhtOff: () => Promise.resolve(dhtOff) } as unknown as QbittorrentSettings;
    const metrics = { countDownload: (status: string) => counted.push(status) };
    adder = new DownloadAdder(
      torrents,
      retry,
      fetcher as unknown as TorrentFetcher,
      settings,
      new DownloadOutcomeRecorder(metrics as unknown as MetricsService),
    );
  });

  it('accepts a magnet once qBittorrent lists it, tagged with its link_id', async () => {
    const outcome = await adder.add(7, magnet(), { category: 'bangumi' });
    expect(outcome).toEqual({ status: 'accepted', hash: HASH, alreadyPresent: false });
    expect(torrents.addMagnet).toHaveBeenCalledWith(
      expect.objectContaining({ hash: HASH }),
      { category: 'bangumi', tags: ['link:7'] },
      undefined,
    );
    expect(torrents.listed).toHaveBeenCalledWith([HASH]);
    expect(counted).toEqual(['accepted']);
  });

  it('adds again once what qBittorrent does not list, and fails it if still missing', async () => {
    torrents.listed.mockResolvedValueOnce(new Set()).mockResolvedValueOnce(new Set([HASH]));
    expect((await adder.add(1, magnet())).status).toBe('accepted');
    expect(torrents.addMagnet).toHaveBeenCalledTimes(2);

    torrents.listed.mockResolvedValue(new Set());
    const outcome = await adder.add(1, magnet());
    expect(outcome).toMatchObject({
      status: 'error',
      error: `qBittorrent answered that it added torrent ${HASH}, twice, but does not hold it`,
    });
    expect(torrents.addMagnet).toHaveBeenCalledTimes(4);
  });

  it('tags a torrent qBittorrent already held, without confirming it again', async () => {
    torrents.addMagnet.mockResolvedValue({ hash: HASH, alreadyPresent: true });
    expect(await adder.add(3, magnet())).toMatchObject({
      status: 'accepted',
      alreadyPresent: true,
    });
    expect(torrents.addTags).toHaveBeenCalledWith(HASH, ['link:3'], undefined);
    expect(torrents.listed).not.toHaveBeenCalled();
  });

  it('fetches a .torrent URL and uploads it', async () => {
    const file = { hash: OTHER, bytes: new Uint8Array([1]) } as unknown as TorrentMetainfo;
    fetcher.fetch.mockResolvedValue(file);
    torrents.addTorrentFile.mockResolvedValue({ hash: OTHER, alreadyPresent: false });
    const link = parseDownloadLink('https://example.org/a.torrent');
    expect(await adder.add(undefined, link)).toMatchObject({ status: 'accepted', hash: OTHER });
    expect(torrents.addTorrentFile).toHaveBeenCalledWith(file, { tags: undefined }, undefined);
  });

  it('answers a refused add as the error it is', async () => {
    torrents.addMagnet.mockRejectedValue(new TorrentRejectedError(HASH, 'Fails.'));
    const outcome = await adder.add(1, magnet());
    expect(outcome).toMatchObject({ status: 'error', hash: HASH });
    expect(counted).toEqual(['error']);
  });

  it('warns of a magnet without trackers while DHT is off', async () => {
    dhtOff = true;
    expect(await adder.add(1, magnet())).toMatchObject({
      status: 'accepted',
      warning: expect.stringContaining('DHT is off'),
    });
  });

  it('answers a batch in order, a bad item failing alone, all confirmed in one look', async () => {
    const results = await adder.addMany(
      await Promise.all(
        [
          { url: `magnet:?xt=urn:btih:${HASH}`, link_id: 1 },
          { url: 'ftp://example.org/x' },
          'not an object',
          { url: `magnet:?xt=urn:btih:${OTHER}` },
        ].map(parseBatchItem),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([
      'accepted',
      'failed',
      'failed',
      'accepted',
    ]);
    expect(results[2]).toMatchObject({ url: '', reason: 'item must be a JSON object' });
    expect(torrents.listed).toHaveBeenCalledTimes(1);
    expect(torrents.listed).toHaveBeenCalledWith([HASH, OTHER]);
  });
});
