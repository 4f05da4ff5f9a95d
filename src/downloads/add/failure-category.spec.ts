import { describe, expect, it } from '@jest/globals';
import { UnauthorizedError } from '../../auth/auth.errors.js';
import {
  AddMayHaveReachedError,
  AllDrainingError,
  AllInstancesFailedError,
  HolderDownError,
  NoRoomError,
} from '../../qbittorrent/pool/pool.errors.js';
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentTimeoutError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from '../../qbittorrent/wire/qbittorrent.errors.js';
import { RetryAbortedError, RetryFailedError } from '../../retry/retry.errors.js';
import { TorrentFetchError } from '../../torrent-file/torrent-file.errors.js';
import { UnconfirmedAddError } from '../downloads.errors.js';
import { failureOf } from './download-outcome.js';
import { categoryOf } from './failure-category.js';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const retried = (cause: unknown) => new RetryFailedError('adding torrent', 3, true, cause);

describe(categoryOf.name, () => {
  it.each([
    [
      'a refused login (the login race, a wrong password)',
      QbittorrentAuthError.credentials('admin'),
      'auth_refused',
    ],
    ['a ban', retried(QbittorrentAuthError.banned()), 'auth_refused'],
    [
      'a refused session after a new login',
      QbittorrentAuthError.sessionRefused('torrents/add'),
      'auth_refused',
    ],
    [
      'no answer',
      retried(new QbittorrentUnavailableError('http://qb:8080', 'ECONNREFUSED')),
      'unreachable',
    ],
    ['every instance down', new AllInstancesFailedError(HASH, []), 'unreachable'],
    ['its holder down', new HolderDownError(HASH, []), 'unreachable'],
    ['a timeout', retried(new QbittorrentTimeoutError('torrents/add', 10_000)), 'timeout'],
    ['shutting down', new RetryAbortedError('adding torrent'), 'timeout'],
    ['no room', new NoRoomError(HASH, 10, []), 'no_room'],
    ['qBittorrent\'s "Fails."', new TorrentRejectedError(HASH, 'Fails.'), 'refused'],
    ['an HTTP error', retried(new QbittorrentHttpError('torrents/add', 409)), 'refused'],
    ['an add not seen held', new UnconfirmedAddError(HASH), 'unconfirmed'],
    [
      'an add that may have reached a dead instance',
      new AddMayHaveReachedError('qb:8080', new Error('x')),
      'unconfirmed',
    ],
    [
      'a .torrent site down',
      retried(TorrentFetchError.httpStatus('https://mikan/a.torrent', 503)),
      'torrent_url',
    ],
    ['every instance draining', new AllDrainingError(HASH, ['qb:8080']), 'draining'],
    ['no API token', UnauthorizedError.missingToken(), 'api_token'],
    ['a bug', new TypeError('undefined is not a function'), 'other'],
  ])('%s: %s', (_case, error, category) => {
    expect(categoryOf(error, false)).toBe(category);
  });

  it('names what the request is at fault for unsupported, whatever the error', () => {
    expect(categoryOf(new TypeError('x'), true)).toBe('unsupported');
  });

  it('gives every failure of an add its category', () => {
    expect(failureOf(QbittorrentAuthError.banned(), HASH)).toMatchObject({
      status: 'error',
      category: 'auth_refused',
    });
    expect(failureOf(new TypeError('x'))).toMatchObject({ category: 'other', unexpected: true });
  });
});
