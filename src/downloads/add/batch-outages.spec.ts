import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  QbittorrentAuthError,
  QbittorrentTlsError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import { BatchOutages, type Outage } from './batch-outages.js';
import { parseDownloadLink } from './download-link.js';

const magnet = parseDownloadLink(`magnet:?xt=urn:btih:${'a'.repeat(40)}`);
const mikan = parseDownloadLink('https://mikanani.me/Download/a.torrent');
const mikanToo = parseDownloadLink('https://mikanani.me/Download/b.torrent');
const nyaa = parseDownloadLink('https://nyaa.si/download/1.torrent');
const failed = (cause: Error, exhausted = true) =>
  new RetryFailedError('adding', exhausted ? 3 : 1, exhausted, cause);

const said = (error: string): Outage => ({ error, category: 'unreachable' });

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
      sut.learn(failed(cause), magnet, said('qBittorrent is down'));
      expect(sut.reasonFor(magnet)?.error).toBe('qBittorrent is down');
      expect(sut.reasonFor(mikan)?.error).toBe('qBittorrent is down');
    },
  );

  it('keeps the category of the outage, for the metrics of the items given up', () => {
    const refused = QbittorrentAuthError.credentials('admin');
    sut.learn(failed(refused), magnet, { error: refused.message, category: 'auth_refused' });
    expect(sut.reasonFor(mikan)).toEqual({ error: refused.message, category: 'auth_refused' });
  });

  it('keeps the first reason it learnt', () => {
    const down = failed(new QbittorrentUnavailableError('http://qb:8080', 'ECONNREFUSED'));
    sut.learn(down, magnet, said('first'));
    sut.learn(down, magnet, said('second'));
    expect(sut.reasonFor(magnet)?.error).toBe('first');
  });

  it('learns that a .torrent host is down only once its retries are exhausted, for its links only', () => {
    const site = TorrentFetchError.httpStatus('https://mikanani.me/Download/a.torrent', 503);
    sut.learn(failed(site, false), mikan, said('not yet'));
    expect(sut.reasonFor(mikanToo)).toBeUndefined();
    sut.learn(failed(site), mikan, said('mikan is down'));
    expect(sut.reasonFor(mikanToo)?.error).toBe('mikan is down');
    expect(sut.reasonFor(nyaa)).toBeUndefined();
    expect(sut.reasonFor(magnet)).toBeUndefined();
  });

  it('learns nothing from a failure of one item alone', () => {
    sut.learn(
      failed(new TorrentRejectedError('a'.repeat(40), 'Fails.'), false),
      magnet,
      said('refused'),
    );
    sut.learn(
      failed(QbittorrentAuthError.sessionRefused('torrents/add'), false),
      magnet,
      said('session'),
    );
    sut.learn(new Error('not a retried failure'), magnet, said('bug'));
    expect(sut.reasonFor(magnet)).toBeUndefined();
  });
});
