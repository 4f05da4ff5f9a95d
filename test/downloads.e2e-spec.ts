import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  invalidHashParameter,
  NOT_AN_INFO_HASH,
  UNSUPPORTED_LINK,
} from '../src/downloads/downloads.errors.js';
import { MAX_BATCH_ITEMS } from '../src/downloads/downloads.limits.js';
import { DIALECTS, FakeQbittorrent } from './fakes/fake-qbittorrent.js';
import { startApp, type TestApp } from './support/app.js';
import { base32Of, hashOf, magnetOf } from './support/links.js';

describe.each(DIALECTS)('torrent management against qBittorrent %s', (dialect) => {
  let qbittorrent: FakeQbittorrent;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeEach(async () => {
    qbittorrent = await FakeQbittorrent.start({ dialect });
    sut = await startApp({ QBITTORRENT_URL: qbittorrent.url });
  });

  afterEach(async () => {
    await sut.close();
    await qbittorrent.stop();
  });

  describe('POST /downloads', () => {
    it('adds a batch of 20 with 2 invalid items: one result per item, in order, the bad ones alone failing', async () => {
      const items: unknown[] = Array.from({ length: 20 }, (_, i) => ({ url: magnetOf(i + 1) }));
      items[4] = { url: 'ftp://example.com/5.torrent' };
      items[13] = { url: 'magnet:?xt=urn:btih:1234567890abcdef1234567890abcdef' };

      const response = await http().post('/downloads').send({ items });

      expect(response.status).toBe(200);
      const results = response.body.results as {
        url: string;
        hash: string | null;
        status: string;
        reason: string | null;
      }[];
      expect(results).toHaveLength(20);
      results.forEach((result, i) => {
        expect(result.url).toBe((items[i] as { url: string }).url);
        if (i === 4 || i === 13) {
          expect(result).toMatchObject({ hash: null, status: 'failed' });
        } else {
          expect(result).toEqual({
            url: magnetOf(i + 1),
            hash: hashOf(i + 1),
            status: 'accepted',
            reason: null,
            warning: null,
          });
        }
      });
      expect(results[4].reason).toBe(UNSUPPORTED_LINK);
      expect(results[13].reason).toContain('got 32 hex characters');
      expect(qbittorrent.torrents.size).toBe(18);
    });

    it('sends at most 8 items to qBittorrent at once', async () => {
      qbittorrent.inject('torrents/add', { kind: 'delay', ms: 30 }, 40);
      const items = Array.from({ length: 40 }, (_, i) => ({ url: magnetOf(i + 1) }));

      const response = await http().post('/downloads').send({ items });

      expect(response.status).toBe(200);
      expect(qbittorrent.torrents.size).toBe(40);
      expect(qbittorrent.maxInFlight('torrents/add')).toBeGreaterThan(1);
      expect(qbittorrent.maxInFlight('torrents/add')).toBeLessThanOrEqual(8);
    });

    it('fails one item whose qBittorrent add keeps failing, and accepts the others', async () => {
      qbittorrent.inject('torrents/add', { kind: 'status', status: 503 }, 3);
      const response = await http()
        .post('/downloads')
        .send({ items: [{ url: magnetOf(1) }] });
      const rest = await http()
        .post('/downloads')
        .send({ items: [{ url: magnetOf(2) }, { url: magnetOf(3) }] });

      expect(response.body.results[0]).toEqual({
        url: magnetOf(1),
        hash: hashOf(1),
        status: 'failed',
        reason: `Adding torrent ${hashOf(1)} to qBittorrent failed after 3 attempts: qBittorrent answered HTTP 503 to torrents/add`,
        warning: null,
      });
      expect(rest.body.results.map((r: { status: string }) => r.status)).toEqual([
        'accepted',
        'accepted',
      ]);
    });

    it('passes save_path, category and tags, and tags a link_id', async () => {
      const response = await http()
        .post('/downloads')
        .send({
          items: [
            {
              url: magnetOf(1),
              save_path: '/downloads/Show',
              category: 'bangumi',
              tags: ['a', 'b'],
              link_id: 77,
            },
          ],
        });

      expect(response.body.results[0].status).toBe('accepted');
      expect(qbittorrent.torrents.get(hashOf(1))).toMatchObject({
        save_path: '/downloads/Show',
        category: 'bangumi',
        tags: 'a, b, link:77',
      });
    });

    it.each<[string, unknown, string]>([
      ['not an object', 'magnet:?xt=urn:btih:' + hashOf(1), 'item must be a JSON object'],
      ['null', null, 'item must be a JSON object'],
      ['without url', { category: 'x' }, 'url is required'],
      [
        'with a control character in save_path',
        { url: magnetOf(1), save_path: '/a\nb' },
        'save_path must be',
      ],
      [
        'with a category qBittorrent would drop',
        { url: magnetOf(1), category: 'a//b' },
        'category must be',
      ],
      ['with a tag holding a comma', { url: magnetOf(1), tags: ['a,b'] }, 'tags must be'],
      ['with tags that are not a list', { url: magnetOf(1), tags: 'a' }, 'tags must be'],
      [
        'with a bad link_id',
        { url: magnetOf(1), link_id: -1 },
        'link_id must be a positive integer',
      ],
    ])('fails an item %s, with the reason', async (_name, item, reason) => {
      const response = await http()
        .post('/downloads')
        .send({ items: [item, { url: magnetOf(2) }] });

      expect(response.status).toBe(200);
      expect(response.body.results[0].status).toBe('failed');
      expect(response.body.results[0].reason).toContain(reason);
      expect(response.body.results[1].status).toBe('accepted');
      expect([...qbittorrent.torrents.keys()]).toEqual([hashOf(2)]);
    });

    it.each<[string, unknown]>([
      ['no items', {}],
      ['empty items', { items: [] }],
      [
        `${MAX_BATCH_ITEMS + 1} items`,
        { items: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({ url: 'magnet:?' })) },
      ],
      ['items that are not a list', { items: { url: magnetOf(1) } }],
    ])('400 for %s', async (_name, body) => {
      const response = await http()
        .post('/downloads')
        .send(body as object);
      expect(response.status).toBe(400);
      expect(Object.keys(response.body)).toEqual(['error']);
      expect(response.body.error).toMatch(
        new RegExp(`^items (is required|must be a list of 1 to ${MAX_BATCH_ITEMS} downloads)$`),
      );
      expect(qbittorrent.callsTo('torrents/add')).toHaveLength(0);
    });

    it('400 in the same shape for malformed JSON', async () => {
      const response = await http()
        .post('/downloads')
        .set('content-type', 'application/json')
        .send('{"items": [');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'request body is not valid JSON' });
    });
  });

  describe('POST /download options', () => {
    it('records link_id as the tag link:<id> and passes save_path, category and tags', async () => {
      const response = await http()
        .post('/download')
        .send({
          link_id: 123,
          url: magnetOf(1),
          save_path: '/downloads/Show',
          category: 'bangumi',
          tags: ['s01'],
        });

      expect(response.status).toBe(201);
      expect(qbittorrent.torrents.get(hashOf(1))).toMatchObject({
        save_path: '/downloads/Show',
        category: 'bangumi',
        tags: 'link:123, s01',
      });
      const status = await http().get(`/downloads?hashes=${hashOf(1)}`);
      expect(status.body.statuses[0].link_id).toBe(123);
    });

    it('tags the link of a duplicate add, which qBittorrent would otherwise ignore', async () => {
      await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      const again = await http()
        .post('/download')
        .send({ link_id: 2, url: magnetOf(1) });

      expect(again.status).toBe(201);
      expect(qbittorrent.torrents.get(hashOf(1))?.tags).toBe('link:1, link:2');
    });

    it('400 for an invalid category, nothing sent', async () => {
      const response = await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1), category: '/x' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 'unsupported', hash: null });
      expect(qbittorrent.callsTo('torrents/add')).toHaveLength(0);
    });
  });

  describe('GET /downloads', () => {
    beforeEach(async () => {
      for (const n of [1, 2, 3]) {
        await http()
          .post('/download')
          .send({ link_id: 100 + n, url: magnetOf(n), category: n === 3 ? 'other' : 'bangumi' });
      }
    });

    it('answers a mix of held and unknown hashes in request order, from one call to qBittorrent', async () => {
      const infoCalls = qbittorrent.callsTo('torrents/info').length;
      const asked = [hashOf(3), hashOf(99), hashOf(1).toUpperCase(), hashOf(3)];

      const response = await http().get(`/downloads?hashes=${asked.join(',')}`);

      expect(response.status).toBe(200);
      expect(
        response.body.statuses.map((s: { hash: string; status: string; state: string }) => [
          s.hash,
          s.status,
          s.state,
        ]),
      ).toEqual([
        [hashOf(3), 'downloading', 'metadata'],
        [hashOf(99), 'not_found', 'not_found'],
        [hashOf(1).toUpperCase(), 'downloading', 'metadata'],
        [hashOf(3), 'downloading', 'metadata'],
      ]);
      expect(qbittorrent.callsTo('torrents/info').length).toBe(infoCalls + 1);
      expect(
        qbittorrent.callsTo('torrents/info').at(-1)?.query.get('hashes')?.split('|'),
      ).toHaveLength(3);
    });

    it('reports every field, and the files of a completed torrent from torrents/files', async () => {
      qbittorrent.complete(hashOf(1), 2048);
      const response = await http().get(`/downloads?hashes=${hashOf(1)},${hashOf(2)}`);

      expect(response.body.statuses[0]).toEqual({
        hash: hashOf(1),
        info_hash: hashOf(1),
        status: 'completed',
        state: 'completed',
        reason: null,
        name: 'episode-1',
        progress: 1,
        size: 2048,
        downloaded: 2048,
        dlspeed: 0,
        eta: null,
        save_path: '/downloads',
        content_path: '/downloads/episode-1',
        category: 'bangumi',
        tags: ['link:101'],
        link_id: 101,
        files: ['/downloads/episode-1'],
        seeds: 1,
        availability: 1,
        stalled_since: null,
        dead: false,
      });
      expect(response.body.statuses[1].files).toEqual([]);
      expect(qbittorrent.callsTo('torrents/files')).toHaveLength(1);
    });

    it('answers an entry that is not a hash as not_found with the reason, never a 400', async () => {
      const response = await http().get(`/downloads?hashes=${hashOf(1)},xyz,,`);
      expect(response.status).toBe(200);
      expect(response.body.statuses).toHaveLength(2);
      expect(response.body.statuses[0]).toMatchObject({ hash: hashOf(1), status: 'downloading' });
      expect(response.body.statuses[1]).toMatchObject({
        hash: 'xyz',
        info_hash: null,
        status: 'not_found',
        progress: 0,
        size: 0,
        files: [],
        reason: NOT_AN_INFO_HASH,
      });
    });

    it('answers an empty list without asking qBittorrent', async () => {
      const infoCalls = qbittorrent.callsTo('torrents/info').length;
      const response = await http().get('/downloads?hashes=');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ statuses: [] });
      expect(qbittorrent.callsTo('torrents/info').length).toBe(infoCalls);
    });

    it.each([
      [
        'a repeated parameter',
        `/downloads?hashes=${hashOf(1)}&hashes=${hashOf(2)}`,
        'hashes must be one comma-separated list',
      ],
      [
        'an unknown status filter',
        '/downloads?status=sleeping',
        'status must be one of downloading, completed',
      ],
      ['an unknown state filter', '/downloads?state=sleeping', 'state must be one of downloading'],
    ])('400 for %s', async (_name, url, error) => {
      const infoCalls = qbittorrent.callsTo('torrents/info').length;
      const response = await http().get(url);
      expect(response.status).toBe(400);
      expect(response.body.error).toContain(error);
      expect(qbittorrent.callsTo('torrents/info').length).toBe(infoCalls);
    });

    it('answers 1000 hashes in one query', async () => {
      const hashes = Array.from({ length: 1000 }, (_, i) => hashOf(i + 1));
      const response = await http().get(`/downloads?hashes=${hashes.join(',')}`);
      expect(response.status).toBe(200);
      expect(response.body.statuses).toHaveLength(1000);
      expect(
        response.body.statuses.filter((s: { status: string }) => s.status !== 'not_found'),
      ).toHaveLength(3);
    });

    it('lists every torrent without hashes, filtered by category, tag and status', async () => {
      qbittorrent.complete(hashOf(2), 10);
      const all = await http().get('/downloads');
      const byCategory = await http().get('/downloads?category=bangumi');
      const byTag = await http().get('/downloads?tag=link:103');
      const completed = await http().get('/downloads?status=completed');
      const hashesOf = (response: request.Response) =>
        (response.body.statuses as { hash: string }[]).map((s) => s.hash).sort();

      expect(hashesOf(all)).toEqual([hashOf(1), hashOf(2), hashOf(3)]);
      expect(hashesOf(byCategory)).toEqual([hashOf(1), hashOf(2)]);
      expect(hashesOf(byTag)).toEqual([hashOf(3)]);
      expect(hashesOf(completed)).toEqual([hashOf(2)]);
    });

    it('500 in the {"error"} shape when qBittorrent keeps failing', async () => {
      qbittorrent.inject('torrents/info', { kind: 'status', status: 502 }, 3);
      const response = await http().get(`/downloads?hashes=${hashOf(1)}`);
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        error:
          'Reading torrents from qBittorrent failed after 3 attempts: qBittorrent answered HTTP 502 to torrents/info',
      });
    });
  });

  describe('pause, resume, delete, cancel', () => {
    beforeEach(async () => {
      await http()
        .post('/download')
        .send({ link_id: 1, url: magnetOf(1) });
      await http()
        .post('/download')
        .send({ link_id: 2, url: magnetOf(2) });
    });

    it('pauses and resumes with the names this version knows, answering the new status', async () => {
      const paused = await http().post(`/downloads/${hashOf(1)}/pause`);
      expect(paused.status).toBe(200);
      expect(paused.body).toEqual({ hash: hashOf(1), status: 'paused', state: 'paused' });
      expect(qbittorrent.torrents.get(hashOf(1))?.state).toBe(
        qbittorrent.spec.stopStart ? 'stoppedDL' : 'pausedDL',
      );

      const resumed = await http().post(`/downloads/${hashOf(1)}/resume`);
      expect(resumed.body).toEqual({ hash: hashOf(1), status: 'downloading', state: 'metadata' });
      const [pause, resume] = qbittorrent.spec.stopStart
        ? ['torrents/stop', 'torrents/start']
        : ['torrents/pause', 'torrents/resume'];
      expect(qbittorrent.callsTo(pause)).toHaveLength(1);
      expect(qbittorrent.callsTo(resume)).toHaveLength(1);
    });

    it('takes a hash in every form GET /downloads takes: upper case, base32, 64 hex', async () => {
      const base32 = base32Of(hashOf(1));
      const sha256 = `${hashOf(2)}${'e'.repeat(24)}`; // a v2 hash qBittorrent truncates to 40
      await http()
        .post(`/download`)
        .send({ link_id: 9, url: `magnet:?xt=urn:btmh:1220${sha256}` });
      const paused = await http().post(`/downloads/${base32}/pause`);
      expect(paused.body).toEqual({ hash: hashOf(1), status: 'paused', state: 'paused' });
      const resumed = await http().post(`/downloads/${hashOf(1).toUpperCase()}/resume`);
      expect(resumed.body).toMatchObject({ hash: hashOf(1), status: 'downloading' });
      const deleted = await http().delete(`/downloads/${sha256}`);
      expect(deleted.body).toEqual({ hash: hashOf(2), status: 'deleted', delete_files: false });
      expect(qbittorrent.torrents.has(hashOf(2))).toBe(false);
    });

    it.each(['pause', 'resume'])(
      '404 for %s of a hash qBittorrent does not hold, without asking it to',
      async (action) => {
        const response = await http().post(`/downloads/${hashOf(9)}/${action}`);
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ error: `qBittorrent does not hold torrent ${hashOf(9)}` });
        expect(
          qbittorrent.calls.filter((call) =>
            /torrents\/(pause|resume|stop|start)/.test(call.endpoint),
          ),
        ).toHaveLength(0);
      },
    );

    it.each([
      ['POST', '/downloads/abc/pause'],
      ['POST', `/downloads/${hashOf(1)}0/resume`],
      ['DELETE', `/downloads/${'g'.repeat(40)}`],
    ])('400 for a malformed hash: %s %s', async (method, url) => {
      const response = method === 'POST' ? await http().post(url) : await http().delete(url);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: invalidHashParameter().message });
    });

    it.each([
      ['', false],
      ['?delete_files=false', false],
      ['?delete_files=true', true],
    ])('deletes a torrent (%s)', async (query, deleteFiles) => {
      const response = await http().delete(`/downloads/${hashOf(1)}${query}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        hash: hashOf(1),
        status: 'deleted',
        delete_files: deleteFiles,
      });
      expect(qbittorrent.torrents.has(hashOf(1))).toBe(false);
      expect(qbittorrent.callsTo('torrents/delete')[0].form.get('deleteFiles')).toBe(
        String(deleteFiles),
      );
    });

    it('404 for deleting a hash qBittorrent does not hold; 400 for a bad delete_files', async () => {
      expect((await http().delete(`/downloads/${hashOf(9)}`)).status).toBe(404);
      const bad = await http().delete(`/downloads/${hashOf(1)}?delete_files=yes`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'delete_files must be true or false' });
      expect(qbittorrent.callsTo('torrents/delete')).toHaveLength(0);
    });

    it('cancels: removes held torrents keeping their files, in one list and one delete call', async () => {
      const response = await http()
        .post('/downloads/cancel')
        .send({ hashes: [hashOf(1), hashOf(9), 'nope', hashOf(2).toUpperCase()] });

      expect(response.status).toBe(200);
      expect(response.body.results).toEqual([
        { hash: hashOf(1), status: 'cancelled', reason: null },
        { hash: hashOf(9), status: 'not_found', reason: null },
        {
          hash: 'nope',
          status: 'failed',
          reason: NOT_AN_INFO_HASH,
        },
        { hash: hashOf(2), status: 'cancelled', reason: null },
      ]);
      expect(qbittorrent.torrents.size).toBe(0);
      const deletes = qbittorrent.callsTo('torrents/delete');
      expect(deletes).toHaveLength(1);
      expect(deletes[0].form.get('deleteFiles')).toBe('false');
      expect(deletes[0].form.get('hashes')?.split('|').sort()).toEqual([hashOf(1), hashOf(2)]);
    });

    it('reports cancellations that qBittorrent failed as failed, with the cause', async () => {
      qbittorrent.inject('torrents/delete', { kind: 'status', status: 500 }, 3);
      const response = await http()
        .post('/downloads/cancel')
        .send({ hashes: [hashOf(1)] });
      expect(response.body.results[0]).toMatchObject({ hash: hashOf(1), status: 'failed' });
      expect(response.body.results[0].reason).toContain('failed after 3 attempts');
      expect(qbittorrent.torrents.has(hashOf(1))).toBe(true);
    });

    it.each<[string, unknown]>([
      ['no hashes', {}],
      ['empty hashes', { hashes: [] }],
      ['hashes that are not a list', { hashes: hashOf(1) }],
    ])('400 for a cancel with %s', async (_name, body) => {
      const response = await http()
        .post('/downloads/cancel')
        .send(body as object);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/^hashes /);
    });
  });
});
