import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  QbittorrentAuthError,
  QbittorrentTlsError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import { BatchOutages } from './batch-outages.js';
import { parseDownloadLink } from './download-link.js';

const magnet = parseDownloadLink(`magnet:?xt=urn:btih:${'a'.repeat(40)}`);
const mikan = parseDownloadLink('https://mikanani.me/Download/a.torrent');
const mikanToo = parseDownloadLink('https://mikanani.me/Download/b.torrent');
const nyaa = parseDownloadLink('https://nyaa.si/download/1.torrent');
const failed = (cause: Error, exhausted = true) =>
  new RetryFailedError('adding', exhausted ? 3 : 1, exhausted, cause);

describe(BatchOutages.name, () => {
  let sut: BatchOutages;

  beforeEach(() => {
    sut = new BatchOutages();
  });

  it.each([
    ['unreachable', new QbittorrentUnavailableError('http://qbittorrent:8080', 'ECONNREFUSED')],
    ['refusing the login', QbittorrentAuthError.credentials('admin')],
    [
      'behind an untrusted certificate',
      new QbittorrentTlsError('https://qb:8080', 'CERT_HAS_EXPIRED'),
    ],
  ])(
    'learns that qBittorrent is down (%s): every later item fails with that reason',
    (_case, cause) => {
      sut.learn(failed(cause), magnet, 'qBittorrent is down');
      expect(sut.reasonFor(magnet)).toBe('qBittorrent is down');
      expect(sut.reasonFor(mikan)).toBe('qBittorrent is down');
    },
  );

  it('keeps the first reason it learnt', () => {
    const down = failed(new QbittorrentUnavailableError('http://qb:8080', 'ECONNREFUSED'));
    sut.learn(down, magnet, 'first');
    sut.learn(down, magnet, 'second');
    expect(sut.reasonFor(magnet)).toBe('first');
  });

  it('learns that a .torrent host is down only once its retries are exhausted, for its links only', () => {
    const site = TorrentFetchError.httpStatus('https://mikanani.me/Download/a.torrent', 503);
    sut.learn(failed(site, false), mikan, 'not yet');
    expect(sut.reasonFor(mikanToo)).toBeUndefined();
    sut.learn(failed(site), mikan, 'mikan is down');
    expect(sut.reasonFor(mikanToo)).toBe('mikan is down');
    expect(sut.reasonFor(nyaa)).toBeUndefined();
    expect(sut.reasonFor(magnet)).toBeUndefined();
  });

  it('learns nothing from a failure of one item alone', () => {
    sut.learn(failed(new TorrentRejectedError('a'.repeat(40), 'Fails.'), false), magnet, 'refused');
    sut.learn(
      failed(QbittorrentAuthError.sessionRefused('torrents/add'), false),
      magnet,
      'session',
    );
    sut.learn(new Error('not a retried failure'), magnet, 'bug');
    expect(sut.reasonFor(magnet)).toBeUndefined();
  });
});
