import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { MetricsService } from '../../metrics/metrics.service.js';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { newQbittorrentPool } from '../../qbittorrent/testing/qbittorrent-instance.builder.js';
import {
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { newRetryService } from '../../retry/testing/retry.builder.js';
import { parseTorrentFile } from '../../torrent-file/torrent-file.js';
import { makeTorrent } from '../../../test/support/torrent-files.js';
import { unconfirmedReason } from '../downloads.errors.js';
import { INSTANCE, newTorrentRepositoryMock } from '../torrents/testing/torrents.builders.js';
import type { SentAdd, TorrentToAdd } from '../torrents/torrent.repository.js';
import { AddConfirmation } from './add-confirmation.js';
import { AddSending } from './add-sending.js';
import { DownloadAdder } from './download-adder.js';
import { parseDownloadLink } from './download-link.js';
import { DuplicateSettlement } from './duplicate-settlement.js';
import { parseBatchItem } from './dto/add-downloads.dto.js';
import { PersistenceGuard } from './persistence-guard.js';
import { counted, newOutcomeRecorder, newTorrentFetcherMock } from './testing/add.builders.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const OTHER = 'dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c';
const magnet = (hash = HASH) => parseDownloadLink(`magnet:?xt=urn:btih:${hash}`);
const hashOf = (torrent: TorrentToAdd) =>
  torrent.kind === 'magnet' ? torrent.link.hash : torrent.file.hash;
const added = (torrent: TorrentToAdd): Promise<SentAdd> =>
  Promise.resolve({ label: INSTANCE, hash: hashOf(torrent), answer: 'added' });

describe(DownloadAdder.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let fetcher: ReturnType<typeof newTorrentFetcherMock>;
  let pool: QbittorrentPool;
  let metrics: MetricsService;
  let sut: DownloadAdder;

  const outcomes = () => counted(metrics, 'downloader_downloads_total');

  beforeAll(() => {
    Logger.overrideLogger(false); // the outcome lines; the recorder's counts are asserted instead
  });

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    torrents.send.mockImplementation(added);
    torrents.listed.mockImplementation((_label, hashes) => Promise.resolve(new Set(hashes)));
    torrents.listOnce.mockImplementation((_label, hashes) =>
      Promise.resolve(hashes.map((hash) => ({ hash }) as never)),
    );
    fetcher = newTorrentFetcherMock();
    pool = newQbittorrentPool([`http://${INSTANCE}`]);
    const built = newOutcomeRecorder();
    metrics = built.metrics;
    sut = new DownloadAdder(
      new AddSending(torrents, newRetryService(), fetcher),
      new AddConfirmation(torrents, pool),
      new DuplicateSettlement(torrents, pool),
      new PersistenceGuard(torrents, pool),
      torrents,
      built.recorder,
    );
  });

  it('accepts a magnet once qBittorrent lists it, tagged with its link_id', async () => {
    const outcome = await sut.add(7, magnet(), { category: 'bangumi' });
    expect(outcome).toEqual({
      status: 'accepted',
      hash: HASH,
      alreadyPresent: false,
      instance: INSTANCE,
    });
    expect(torrents.send).toHaveBeenCalledWith(
      { kind: 'magnet', link: expect.objectContaining({ hash: HASH }) },
      { category: 'bangumi', tags: ['link:7'] },
      undefined,
    );
    expect(torrents.listed).toHaveBeenCalledWith(INSTANCE, [HASH]);
    expect(await outcomes()).toEqual({ accepted: 1 });
  });

  it('adds again once what qBittorrent does not list, and fails it if still missing', async () => {
    torrents.listed.mockResolvedValueOnce(new Set()).mockResolvedValueOnce(new Set([HASH]));
    expect((await sut.add(1, magnet())).status).toBe('accepted');
    expect(torrents.send).toHaveBeenCalledTimes(2);

    torrents.listed.mockResolvedValue(new Set());
    expect(await sut.add(1, magnet())).toMatchObject({
      status: 'error',
      error: unconfirmedReason(HASH),
    });
    expect(torrents.send).toHaveBeenCalledTimes(4);
  });

  it('tags a torrent qBittorrent already held once its list shows it', async () => {
    torrents.send.mockResolvedValue({
      label: INSTANCE,
      hash: HASH,
      answer: 'refused',
      refusal: new TorrentRejectedError(HASH, 'Fails.'),
    });
    expect(await sut.add(3, magnet())).toMatchObject({ status: 'accepted', alreadyPresent: true });
    expect(torrents.addTags).toHaveBeenCalledWith(INSTANCE, HASH, ['link:3'], undefined);
    expect(torrents.send).toHaveBeenCalledTimes(1);
  });

  it('answers a refusal of a torrent qBittorrent does not hold as the error it is', async () => {
    torrents.listed.mockResolvedValue(new Set());
    torrents.send.mockResolvedValue({
      label: INSTANCE,
      hash: HASH,
      answer: 'refused',
      refusal: new TorrentRejectedError(HASH, 'Fails.'),
    });
    const outcome = await sut.add(1, magnet());
    expect(outcome).toMatchObject({ status: 'error', hash: HASH, httpStatus: 500 });
    expect(outcome).toMatchObject({ error: expect.stringContaining('refused torrent') });
    expect(await outcomes()).toEqual({ error: 1 });
  });

  it('puts the tags on later where qBittorrent ignores them on an add (4.2.5)', async () => {
    torrents.send.mockResolvedValue({
      label: INSTANCE,
      hash: HASH,
      answer: 'added',
      tagsLater: ['link:4'],
    });
    expect((await sut.add(4, magnet())).status).toBe('accepted');
    expect(torrents.addTags).toHaveBeenCalledWith(INSTANCE, HASH, ['link:4'], undefined);
    expect(torrents.listed.mock.invocationCallOrder[0]).toBeLessThan(
      torrents.addTags.mock.invocationCallOrder[0],
    );
  });

  it('fetches a .torrent URL and uploads it', async () => {
    const file = parseTorrentFile(makeTorrent().bytes);
    fetcher.fetch.mockResolvedValue(file);
    const link = parseDownloadLink('https://example.org/a.torrent');
    expect(await sut.add(undefined, link)).toMatchObject({ status: 'accepted', hash: file.hash });
    expect(fetcher.fetch).toHaveBeenCalledWith(new URL('https://example.org/a.torrent'));
    expect(torrents.send).toHaveBeenCalledWith(
      { kind: 'file', file },
      { tags: undefined },
      undefined,
    );
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

  it('answers a batch in order, a bad item failing alone, each confirmed as it is answered', async () => {
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
    expect(torrents.listed.mock.calls).toEqual([
      [INSTANCE, [HASH]],
      [INSTANCE, [OTHER]],
    ]);
    expect(await outcomes()).toEqual({ accepted: 2, unsupported: 2 });
  });

  it('confirms what came back before an instance stopped answering, and fails only the rest', async () => {
    const down = new QbittorrentUnavailableError('http://qbittorrent:8080', 'ECONNREFUSED');
    let looks = 0;
    torrents.listed.mockImplementation((_label, hashes) =>
      ++looks <= 3
        ? Promise.resolve(new Set(hashes))
        : Promise.reject(new RetryFailedError('reading torrents', 3, true, down)),
    );
    const items = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        parseBatchItem({ url: `magnet:?xt=urn:btih:${String(i).padStart(40, 'a')}` }),
      ),
    );
    const results = await sut.addMany(items);
    expect(results.map((result) => result.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'failed',
      'failed',
      'failed',
    ]);
    expect(results[3].reason).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('fails the rest of a batch at once once qBittorrent is known down', async () => {
    const down = new QbittorrentUnavailableError('http://qbittorrent:8080', 'ECONNREFUSED');
    torrents.send.mockRejectedValue(new RetryFailedError('adding', 3, true, down));
    const items = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        parseBatchItem({ url: `magnet:?xt=urn:btih:${String(i).padStart(40, '0')}` }),
      ),
    );
    const results = await sut.addMany(items);
    expect(results.every((result) => result.status === 'failed')).toBe(true);
    // The first wave (8 at once) tried; the rest not attempted, with the reason learnt.
    expect(torrents.send.mock.calls.length).toBeLessThanOrEqual(8);
    expect(results[19].reason).toMatch(/^not attempted: .*unreachable \(ECONNREFUSED\)/);
  });
});
