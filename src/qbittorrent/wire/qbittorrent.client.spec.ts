import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DIALECTS, FakeQbittorrent } from '../../../test/fakes/fake-qbittorrent.js';
import { parseMagnet } from '../identity/magnet.js';
import { QbittorrentClient } from './qbittorrent.client.js';
import type { QbittorrentInstance } from '../instance/qbittorrent-instance.js';
import { QbittorrentHttpError } from './qbittorrent.errors.js';
import { newQbittorrentInstance } from '../testing/qbittorrent-instance.builder.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const magnet = parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=episode`);

describe(QbittorrentClient.name, () => {
  beforeAll(() => {
    Logger.overrideLogger(false); // login lines: the calls qBittorrent received are asserted instead
  });

  describe.each(DIALECTS)('against qBittorrent %s', (dialect) => {
    let qbittorrent: FakeQbittorrent;
    let instance: QbittorrentInstance;
    let sut: QbittorrentClient;

    beforeEach(async () => {
      qbittorrent = await FakeQbittorrent.start({ dialect });
      instance = newQbittorrentInstance(qbittorrent.url);
      sut = instance.client;
    });

    afterEach(async () => {
      instance.close();
      await qbittorrent.stop();
    });

    it('adds a magnet, started, with its options', async () => {
      const tags = ['link:1', 's01'];
      const { tagsOnAdd } = qbittorrent.spec;
      await expect(sut.addMagnet(magnet, { savePath: '/x', category: 'c', tags })).resolves.toEqual(
        {
          hash: HEX,
          added: true,
          // Before WebAPI 2.6.2 tags on an add are ignored: left to torrents/addTags.
          ...(!tagsOnAdd && { tagsLater: tags }),
        },
      );
      const [add] = qbittorrent.callsTo('torrents/add');
      expect(Object.fromEntries(add.form)).toEqual({
        urls: magnet.url,
        paused: 'false',
        stopped: 'false',
        savepath: '/x',
        autoTMM: 'false',
        category: 'c',
        ...(tagsOnAdd && { tags: 'link:1,s01' }),
      });
    });

    it('answers a duplicate as not added, with the failure to throw if it is not listed', async () => {
      await sut.addMagnet(magnet);
      const again = await sut.addMagnet(magnet);
      // 4.2.5 answers Ok. to an add of a torrent it holds: to the core, accepted all the same.
      if (qbittorrent.spec.old) return expect(again).toEqual({ hash: HEX, added: true });
      expect(again).toMatchObject({ hash: HEX, added: false });
      expect(again.added === false && again.refusal.message).toMatch(/refused torrent/);
    });

    it('lists torrents by hashes, category and tag, in one call however many hashes', async () => {
      await sut.addMagnet(magnet, { category: 'bangumi', tags: ['s01'] });
      if (!qbittorrent.spec.tagsOnAdd) await sut.addTags(HEX, ['s01']);
      const hashes = [HEX, ...Array.from({ length: 5 }, (_, i) => String(i).padStart(40, '0'))];
      const asked = qbittorrent.callsTo('torrents/info').length;
      expect((await sut.getTorrents({ hashes })).map((t) => t.hash)).toEqual([HEX]);
      expect(await sut.getTorrents({ category: 'other' })).toEqual([]);
      expect(await sut.getTorrents({ tag: 's01' })).toHaveLength(1);
      const [first] = qbittorrent.callsTo('torrents/info').slice(asked);
      expect(first.query.get('hashes')).toBe(hashes.join('|'));
      // Before WebAPI 2.8.3 the tag filter is applied here, not sent.
      const tagged = qbittorrent.callsTo('torrents/info').at(-1);
      expect(tagged?.query.get('tag')).toBe(qbittorrent.spec.tagFilter ? 's01' : null);
    });

    it('pauses and resumes with the names this version knows', async () => {
      await sut.addMagnet(magnet);
      await sut.pause(HEX);
      await sut.resume(HEX);
      const [pause, resume] = qbittorrent.spec.stopStart
        ? ['torrents/stop', 'torrents/start']
        : ['torrents/pause', 'torrents/resume'];
      expect(qbittorrent.callsTo(pause)).toHaveLength(1);
      expect(qbittorrent.callsTo(resume)).toHaveLength(1);
      expect(qbittorrent.calls.filter((call) => call.endpoint.includes('/pause'))).toHaveLength(
        pause === 'torrents/pause' ? 1 : 0,
      );
    });

    it('tags, reads files (null for a torrent it does not hold) and deletes', async () => {
      await sut.addMagnet(magnet);
      await sut.addTags(HEX, ['link:9']);
      expect((await sut.getTorrents({ hashes: [HEX] }))[0].tags).toContain('link:9');
      expect(await sut.getFiles(HEX)).toEqual([]);
      await sut.deleteMany([HEX], false);
      expect(await sut.getFiles(HEX)).toBeNull();
      expect(qbittorrent.callsTo('torrents/delete')[0].form.get('deleteFiles')).toBe('false');
    });

    it('throws the HTTP status of an answer it does not expect', async () => {
      qbittorrent.inject('torrents/info', { kind: 'status', status: 502 });
      await expect(sut.getTorrents({})).rejects.toEqual(
        new QbittorrentHttpError('torrents/info', 502),
      );
    });
  });
});
