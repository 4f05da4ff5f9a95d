import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import { hashOf, magnetOf } from '../../../test/support/links.js';
import { parseMagnet } from '../../qbittorrent/identity/magnet.js';
import { AddMayHaveReachedError } from '../../qbittorrent/pool/pool.errors.js';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { newQbittorrentPool } from '../../qbittorrent/testing/qbittorrent-instance.builder.js';
import { IncomingAdds } from '../torrents/incoming-adds.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import { AddConfirmation } from './add-confirmation.js';
import { parseDownloadLink } from './download-link.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Real stages over a real pool of two fake qBittorrents: who marks an instance down, and when. */
describe(AddConfirmation.name, () => {
  let fakes: FakeQbittorrent[];
  let pool: QbittorrentPool;
  let torrents: TorrentRepository;
  let sut: AddConfirmation;
  const statusOf = async (label: string) => {
    const { details } = await pool.readiness();
    const instances = details.instances as { instance: string; status: string }[];
    return instances.find((one) => one.instance === label)?.status;
  };

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    fakes = await Promise.all([
      FakeQbittorrent.start({ dialect: '5.3.0' }),
      FakeQbittorrent.start({ dialect: '4.5.2' }),
    ]);
    pool = newQbittorrentPool(fakes.map((fake) => fake.url));
    torrents = new TorrentRepository(pool, new IncomingAdds());
    sut = new AddConfirmation(torrents, pool);
  });

  afterEach(async () => {
    pool.onApplicationShutdown();
    await Promise.all(fakes.map((fake) => fake.stop()));
  });

  it('marks an instance that dies during the confirming look down, and it stays down until it answers again', async () => {
    const [dying] = fakes;
    const label = `127.0.0.1:${dying.port}`;
    pool.held(label, [hashOf(1)]); // as if it listed the torrent: the add goes there
    const request = {
      url: '',
      linkId: 1,
      link: parseDownloadLink(magnetOf(1)),
      options: {},
    };
    const sent = await torrents.send({ kind: 'magnet', link: parseMagnet(magnetOf(1)) }, {});
    expect(sent).toMatchObject({ label, answer: 'added' });
    dying.inject('torrents/info', { kind: 'destroy' });

    const confirming = sut.confirm(request, sent, () => Promise.reject(new Error('not again')));
    await expect(confirming).rejects.toBeInstanceOf(AddMayHaveReachedError);
    await expect(confirming).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(await statusOf(label)).toBe('down');
    await sleep(100);
    expect(await statusOf(label)).toBe('down');

    await pool.callOnce(label, (client) => client.getVersion());
    expect(await statusOf(label)).toBe('up');
  });

  it('fails an add whose instance stops answering when the listed torrent is tagged, as one that may be there', async () => {
    const request = { url: '', linkId: 3, link: parseDownloadLink(magnetOf(3)), options: {} };
    const torrent = { kind: 'magnet', link: parseMagnet(magnetOf(3)) } as const;
    await torrents.send(torrent, {});
    const again = await torrents.send(torrent, {});
    expect(again).toMatchObject({ answer: 'refused' }); // present: its link is tagged apart
    const dying = fakes.find((fake) => again.label === `127.0.0.1:${fake.port}`) as FakeQbittorrent;
    dying.inject('torrents/addTags', { kind: 'destroy' });

    const confirming = sut.confirm(request, again, () => Promise.reject(new Error('not again')));
    await expect(confirming).rejects.toBeInstanceOf(AddMayHaveReachedError);
    await expect(confirming).rejects.toThrow(/stopped answering while adding the torrent/);
    expect(await statusOf(again.label)).toBe('down');
  });

  it('accepts, from the instance that answered, a torrent it lists', async () => {
    const sent = await torrents.send({ kind: 'magnet', link: parseMagnet(magnetOf(2)) }, {});
    const request = { url: '', linkId: 2, link: parseDownloadLink(magnetOf(2)), options: {} };
    await expect(
      sut.confirm(request, sent, () => Promise.reject(new Error())),
    ).resolves.toMatchObject({
      label: sent.label,
      hash: hashOf(2),
      alreadyPresent: false,
    });
  });
});
