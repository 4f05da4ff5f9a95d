import { HttpService } from '@nestjs/axios';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeTorrent } from '../../test/support/torrent-files.js';
import { TorrentServer } from '../../test/support/torrent-server.js';
import { newConfigService } from '../config/testing/config.builder.js';
import { MAX_REDIRECTS, TorrentFetcher } from './torrent-fetcher.js';
import { TorrentFetchError } from './torrent-file.errors.js';

describe(TorrentFetcher.name, () => {
  let site: TorrentServer;
  let sut: TorrentFetcher;

  /** The fetcher as the application builds it from `env`. */
  const fetcherWith = (env: Record<string, string>) =>
    new TorrentFetcher(new HttpService(), newConfigService(env));

  beforeEach(async () => {
    site = await TorrentServer.start();
    // The site listens on loopback, which only TORRENT_FETCH_ALLOW_PRIVATE lets a link reach.
    sut = fetcherWith({
      TORRENT_FETCH_ALLOW_PRIVATE: 'true',
      TORRENT_FETCH_TIMEOUT_MS: '500',
      TORRENT_FETCH_MAX_BYTES: '65536',
    });
  });

  afterEach(async () => {
    sut.onApplicationShutdown();
    await site.stop();
  });

  const failure = async (url: string): Promise<TorrentFetchError> => {
    const error = await sut.fetch(new URL(url)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TorrentFetchError);
    return error as TorrentFetchError;
  };

  it('fetches a .torrent file and reads its id, following a redirect', async () => {
    const torrent = makeTorrent();
    site.file('/a.torrent', torrent.bytes);
    const url = site.redirect('/download/1', site.url('/a.torrent'));
    expect(await sut.fetch(new URL(url))).toEqual({
      hash: torrent.id,
      name: torrent.name,
      bytes: torrent.bytes,
      size: 1024,
      v1Hash: torrent.id,
      v2: false,
    });
  });

  it('refuses a private address by default, without connecting to it', async () => {
    sut.onApplicationShutdown();
    sut = fetcherWith({});
    const url = site.file('/a.torrent', makeTorrent().bytes);
    const error = await failure(url);
    expect(error.message).toMatch(
      /127\.0\.0\.1 is a loopback address.*TORRENT_FETCH_ALLOW_PRIVATE/,
    );
    expect(error.transient).toBe(false);
    expect(site.hits.size).toBe(0);
  });

  it.each([
    [404, false, 400],
    [429, true, 502],
    [503, true, 502],
  ])(
    'answers HTTP %i as a failure (transient: %s, answered %i)',
    async (status, transient, http) => {
      const url = site.flaky('/a.torrent', status, 99, makeTorrent().bytes);
      const error = await failure(url);
      expect(error).toMatchObject({ transient, httpStatus: http });
      expect(error.message).toContain(`the server answered HTTP ${status}`);
    },
  );

  it('says what is wrong with a file that is not a .torrent', async () => {
    const url = site.file('/a.torrent', '<html>login first</html>', 'text/html');
    expect((await failure(url)).message).toMatch(/is not a usable \.torrent file: .*HTML/);
  });

  it('stops reading a file over TORRENT_FETCH_MAX_BYTES', async () => {
    const error = await failure(site.endless('/huge.torrent', 10 * 1024 * 1024));
    expect(error.message).toContain('the file is larger than 65536 bytes');
  });

  it('gives up on a redirect loop and on a site that never answers', async () => {
    site.redirect('/loop', site.url('/loop'));
    expect((await failure(site.url('/loop'))).message).toContain(
      `more than ${MAX_REDIRECTS} redirects`,
    );
    const timeout = await failure(site.hang('/slow.torrent'));
    expect(timeout).toMatchObject({ transient: true });
    expect(timeout.message).toContain('no complete answer within 500 ms');
  });

  it('names a link by its address without the query, where passkeys live', async () => {
    const url = site.flaky('/a.torrent', 404, 99, Buffer.alloc(0));
    const error = await failure(`${url}?passkey=s3cret`);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain(`${url} failed`);
  });
});
