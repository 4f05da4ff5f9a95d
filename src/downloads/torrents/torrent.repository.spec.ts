import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import { hashOf, magnetOf } from '../../../test/support/links.js';
import { parseMagnet } from '../../qbittorrent/identity/magnet.js';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { TorrentRejectedError } from '../../qbittorrent/wire/qbittorrent.errors.js';
import {
  newQbittorrentInstance,
  newQbittorrentPool,
} from '../../qbittorrent/testing/qbittorrent-instance.builder.js';
import { RetryFailedError } from '../../retry/retry.errors.js';
import { IncomingAdds } from './incoming-adds.js';
import { TorrentRepository } from './torrent.repository.js';

describe(TorrentRepository.name, () => {
  let qbittorrent: FakeQbittorrent;
  let pool: QbittorrentPool;
  let sut: TorrentRepository;
  let label: string;

  const add = (n: number) => sut.send({ kind: 'magnet', link: parseMagnet(magnetOf(n)) }, {});

  beforeAll(() => {
    Logger.overrideLogger(false); // retry and login lines: qBittorrent's calls are asserted instead
  });

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect: '5.3.0' });
    pool = newQbittorrentPool([qbittorrent.url]);
    label = pool.instances[0].label;
    sut = new TorrentRepository(pool, new IncomingAdds());
  });

  afterEach(async () => {
    pool.onApplicationShutdown();
    await qbittorrent.stop();
  });

  it('lists torrents asking for 1000 hashes a call at most', async () => {
    await add(1);
    await add(2500);
    const hashes = Array.from({ length: 2500 }, (_, i) => hashOf(i + 1));
    const { torrents, holders } = await sut.list({ hashes });
    expect(torrents.map((t) => t.hash)).toEqual([hashOf(1), hashOf(2500)]);
    expect(holders.get(hashOf(1))).toEqual([label]);
    expect(
      qbittorrent
        .callsTo('torrents/info')
        .map((call) => call.query.get('hashes')?.split('|').length),
    ).toEqual([1000, 1000, 500]);
    expect((await sut.find(hashOf(3))).torrents).toEqual([]);
  });

  it('reads the file names of a torrent once, until its listing shows a change or it is gone', async () => {
    await add(1);
    qbittorrent.complete(hashOf(1), 1024);
    const first = await sut.listWithFiles({ hashes: [hashOf(1)] });
    expect(first.files.get(hashOf(1))).toEqual(['episode-1']);
    await sut.listWithFiles({ hashes: [hashOf(1)] });
    expect(qbittorrent.callsTo('torrents/files')).toHaveLength(1);
    expect(sut.cachedFileLists).toBe(1);
    qbittorrent.torrents.delete(hashOf(1));
    await sut.listWithFiles({ hashes: [hashOf(1)] });
    expect(sut.cachedFileLists).toBe(0);
  });

  it('answers what qBittorrent said of an add: added, or refused (a torrent it holds, 409)', async () => {
    await expect(add(1)).resolves.toEqual({
      label,
      hash: hashOf(1),
      answer: 'added',
      tagsLater: undefined,
    });
    await expect(add(1)).resolves.toMatchObject({
      label,
      hash: hashOf(1),
      answer: 'refused',
      // Should its list not show the torrent, the add failed after 1 attempt, as it says.
      refusal: expect.objectContaining({
        attempts: 1,
        cause: expect.any(TorrentRejectedError),
      }),
    });
    expect(qbittorrent.callsTo('torrents/info')).toHaveLength(0); // its list is the caller's to read
  });

  it('retries an add qBittorrent failed for a moment', async () => {
    qbittorrent.inject('torrents/add', { kind: 'status', status: 503 }, 2);
    await expect(add(1)).resolves.toMatchObject({ hash: hashOf(1), answer: 'added' });
    expect(qbittorrent.callsTo('torrents/add')).toHaveLength(3);
  });

  it('fails an add qBittorrent keeps failing, after the retries', async () => {
    qbittorrent.inject('torrents/add', { kind: 'status', status: 503 }, 3);
    await expect(add(1)).rejects.toBeInstanceOf(RetryFailedError);
  });

  it('looks again until qBittorrent lists a torrent it answered late', async () => {
    qbittorrent.listAfterMs = 60;
    await add(1);
    expect(await sut.listed(label, [hashOf(1), hashOf(2)])).toEqual(new Set([hashOf(1)]));
    expect(qbittorrent.callsTo('torrents/info').length).toBeGreaterThan(1);
  });

  it('asks once, without retrying, for an answer that must come now', async () => {
    await add(1);
    qbittorrent.inject('torrents/info', { kind: 'status', status: 503 });
    await expect(sut.listOnce(label, [hashOf(1)])).rejects.toThrow(/HTTP 503/);
    expect(qbittorrent.callsTo('torrents/info')).toHaveLength(1);
  });

  it("reads qBittorrent's DHT setting for the magnets that need it", async () => {
    expect(await sut.dhtOff(label)).toBe(false);
    qbittorrent.preferences.dht = false;
    const another = newQbittorrentInstance(qbittorrent.url); // the first keeps its read for a minute
    expect(await another.settings.dhtOff()).toBe(true);
    another.close();
  });
});
