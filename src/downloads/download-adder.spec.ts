import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { MetricsService } from '../metrics/metrics.service.js';
import {
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../qbittorrent/qbittorrent.errors.js';
import { RetryFailedError } from '../retry/retry.errors.js';
import { parseTorrentFile } from '../torrent-file/torrent-file.js';
import { makeTorrent } from '../../test/support/torrent-files.js';
import { newRetryService } from '../retry/testing/retry.builder.js';
import { DownloadAdder } from './download-adder.js';
import { parseDownloadLink } from './download-link.js';
import { unconfirmedReason } from './downloads.errors.js';
import { parseBatchItem } from './dto/add-downloads.dto.js';
import {
  counted,
  INSTANCE,
  newOutcomeRecorder,
  newTorrentFetcherMock,
  newTorrentRepositoryMock,
} from './testing/downloads.builders.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const OTHER = 'dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c';
const magnet = (hash = HASH) => parseDownloadLink(`magnet:?xt=urn:btih:${hash}`);

describe(DownloadAdder.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let fetcher: ReturnType<typeof newTorrentFetcherMock>;
  let metrics: MetricsService;
  let sut: DownloadAdder;

  const outcomes = () => counted(metrics, 'downloader_downloads_total');

  beforeAll(() => {
    Logger.overrideLogger(false); // the outcome lines; the recorder's counts are asserted instead
  });

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    torrents.addMagnet.mockImplementation((link) =>
      Promise.resolve({ hash: link.hash, alreadyPresent: false, instance: INSTANCE }),
    );
    torrents.lookUntilListed.mockImplementation((_instance, hashes) =>
      Promise.resolve(new Set(hashes)),
    );
    fetcher = newTorrentFetcherMock();
    const built = newOutcomeRecorder();
    metrics = built.metrics;
    sut = new DownloadAdder(torrents, newRetryService(), fetcher, built.recorder);
  });

  it('accepts a magnet once qBittorrent lists it, tagged with its link_id', async () => {
    const outcome = await sut.add(7, magnet(), { category: 'bangumi' });
    expect(outcome).toEqual({
      status: 'accepted',
      hash: HASH,
      alreadyPresent: false,
      instance: INSTANCE,
    });
    expect(torrents.addMagnet).toHaveBeenCalledWith(
      expect.objectContaining({ hash: HASH }),
      { category: 'bangumi', tags: ['link:7'] },
      undefined,
    );
    expect(torrents.lookUntilListed).toHaveBeenCalledWith(INSTANCE, [HASH]);
    expect(await outcomes()).toEqual({ accepted: 1 });
  });

  it('adds again once what qBittorrent does not list, and fails it if still missing', async () => {
    torrents.lookUntilListed
      .mockResolvedValueOnce(new Set())
      .mockResolvedValueOnce(new Set([HASH]));
    expect((await sut.add(1, magnet())).status).toBe('accepted');
    expect(torrents.addMagnet).toHaveBeenCalledTimes(2);

    torrents.lookUntilListed.mockResolvedValue(new Set());
    expect(await sut.add(1, magnet())).toMatchObject({
      status: 'error',
      error: unconfirmedReason(HASH),
    });
    expect(torrents.addMagnet).toHaveBeenCalledTimes(4);
  });

  it('tags a torrent qBittorrent already held, without confirming it again', async () => {
    torrents.addMagnet.mockResolvedValue({ hash: HASH, alreadyPresent: true, instance: INSTANCE });
    expect(await sut.add(3, magnet())).toMatchObject({ status: 'accepted', alreadyPresent: true });
    expect(torrents.addTags).toHaveBeenCalledWith(INSTANCE, HASH, ['link:3'], undefined);
    expect(torrents.lookUntilListed).not.toHaveBeenCalled();
  });

  it('fetches a .torrent URL and uploads it', async () => {
    const file = parseTorrentFile(makeTorrent().bytes);
    fetcher.fetch.mockResolvedValue(file);
    torrents.addTorrentFile.mockResolvedValue({
      hash: file.hash,
      alreadyPresent: false,
      instance: INSTANCE,
    });
    const link = parseDownloadLink('https://example.org/a.torrent');
    expect(await sut.add(undefined, link)).toMatchObject({ status: 'accepted', hash: file.hash });
    expect(fetcher.fetch).toHaveBeenCalledWith(new URL('https://example.org/a.torrent'));
    expect(torrents.addTorrentFile).toHaveBeenCalledWith(file, { tags: undefined }, undefined);
  });

  it('answers a refused add as the error it is', async () => {
    torrents.addMagnet.mockRejectedValue(new TorrentRejectedError(HASH, 'Fails.'));
    const outcome = await sut.add(1, magnet());
    expect(outcome).toMatchObject({ status: 'error', hash: HASH, httpStatus: 500 });
    expect(await outcomes()).toEqual({ error: 1 });
  });

  it('warns of a magnet without trackers while DHT is off, and of none with a tracker', async () => {
    torrents.dhtOff.mockResolvedValue(true);
    expect(await sut.add(1, magnet())).toMatchObject({
      status: 'accepted',
      warning: expect.stringContaining('DHT is off'),
    });
    const tracked = parseDownloadLink(
      `magnet:?xt=urn:btih:${OTHER}&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce`,
    );
    expect(await sut.add(2, tracked)).not.toHaveProperty('warning');
  });

  it('answers a batch in order, a bad item failing alone, all confirmed in one look', async () => {
    const results = await sut.addMany(
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
    expect(torrents.lookUntilListed).toHaveBeenCalledTimes(1);
    expect(torrents.lookUntilListed).toHaveBeenCalledWith(INSTANCE, [HASH, OTHER]);
    expect(await outcomes()).toEqual({ accepted: 2, unsupported: 2 });
  });

  it('answers a torrent another instance kept from the copy that stays, tagged with its link', async () => {
    torrents.settleDuplicates.mockResolvedValue(new Map([[HASH, '10.0.0.2:8080']]));
    expect(await sut.add(5, magnet())).toMatchObject({
      status: 'accepted',
      hash: HASH,
      instance: '10.0.0.2:8080',
      alreadyPresent: true,
    });
    expect(torrents.settleDuplicates).toHaveBeenCalledWith(INSTANCE, [HASH]);
    expect(torrents.addTags).toHaveBeenCalledWith('10.0.0.2:8080', HASH, ['link:5'], undefined);
  });

  it('fails the rest of a batch at once once qBittorrent is known down', async () => {
    const down = new QbittorrentUnavailableError('http://qbittorrent:8080', 'ECONNREFUSED');
    torrents.addMagnet.mockRejectedValue(new RetryFailedError('adding', 3, true, down));
    const items = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        parseBatchItem({ url: `magnet:?xt=urn:btih:${String(i).padStart(40, '0')}` }),
      ),
    );
    const results = await sut.addMany(items);
    expect(results.every((result) => result.status === 'failed')).toBe(true);
    // The first wave (8 at once) tried; the rest not attempted, with the reason learnt.
    expect(torrents.addMagnet.mock.calls.length).toBeLessThanOrEqual(8);
    expect(results[19].reason).toMatch(/^not attempted: .*unreachable \(ECONNREFUSED\)/);
  });
});
