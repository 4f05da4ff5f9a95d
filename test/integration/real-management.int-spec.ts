import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import type { TestApp } from '../support/app.js';
import {
  startAppFor,
  torrentOf,
  versionsUnderTest,
  waitForTorrent,
} from '../support/real-qbittorrent.js';

const hashOf = (n: number) => `ab${n.toString(16).padStart(38, '0')}`;
const magnetOf = (n: number) => `magnet:?xt=urn:btih:${hashOf(n)}&dn=item-${n}`;

describe.each(versionsUnderTest())('torrent management on real qBittorrent %s', (version) => {
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp;
  let client: QbittorrentClient;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({ version });
    sut = await startAppFor(qbittorrent);
    client = sut.client;
  });

  afterAll(async () => {
    await sut?.close();
    await qbittorrent?.stop();
  });

  it('adds a batch of 20 with 2 invalid items: 18 torrents in qBittorrent, with their options', async () => {
    const items: object[] = Array.from({ length: 20 }, (_, i) => ({
      url: magnetOf(i + 1),
      category: 'bangumi',
      tags: ['batch'],
      save_path: qbittorrent.instancePath(`${qbittorrent.downloadDir}/Show`),
      link_id: 500 + i,
    }));
    items[3] = { url: 'ftp://example.com/4.torrent' };
    items[17] = { url: `magnet:?xt=urn:btih:${hashOf(18)}\nmagnet:?xt=urn:btih:${hashOf(99)}` };

    const response = await http().post('/downloads').send({ items });

    expect(response.status).toBe(200);
    const statuses = (response.body.results as { status: string }[]).map((result) => result.status);
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(18);
    expect(statuses[3]).toBe('failed');
    expect(statuses[17]).toBe('failed');
    await waitForTorrent(client, hashOf(20), (torrent) => torrent !== null);
    const held = (await client.getTorrents({ tag: 'batch' })).map((torrent) => torrent.hash).sort();
    expect(held).toEqual(
      [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20].map(hashOf).sort(),
    );
    const first = await torrentOf(client, hashOf(1));
    expect(first).toMatchObject({
      category: 'bangumi',
      save_path: `${qbittorrent.instancePath(qbittorrent.downloadDir)}/Show`,
    });
    expect(first?.tags.split(', ').sort()).toEqual(['batch', 'link:500']);
  });

  it('answers the status of held and unknown hashes in one request, in order', async () => {
    const asked = [hashOf(2), hashOf(404), hashOf(1), hashOf(4)];
    const response = await http().get(`/downloads?hashes=${asked.join(',')}`);

    expect(response.status).toBe(200);
    expect(response.body.statuses.map((s: { hash: string }) => s.hash)).toEqual(asked);
    expect(response.body.statuses.map((s: { state: string }) => s.state)).toEqual([
      'metadata',
      'not_found',
      'metadata',
      'not_found',
    ]);
    expect(response.body.statuses[0]).toMatchObject({
      status: 'downloading',
      link_id: 501,
      category: 'bangumi',
      progress: 0,
      files: [],
    });
  });

  it('pauses and resumes, answering the state qBittorrent reached', async () => {
    const paused = await http().post(`/downloads/${hashOf(5)}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ hash: hashOf(5), status: 'paused', state: 'paused' });
    expect((await torrentOf(client, hashOf(5)))?.state).toBe(
      version.startsWith('4.') ? 'pausedDL' : 'stoppedDL',
    );

    const resumed = await http().post(`/downloads/${hashOf(5)}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).not.toBe('paused');
    expect((await torrentOf(client, hashOf(5)))?.state).not.toMatch(/^(paused|stopped)/);
  });

  it('404s pause and delete of a hash qBittorrent does not hold', async () => {
    expect((await http().post(`/downloads/${hashOf(404)}/pause`)).status).toBe(404);
    expect((await http().delete(`/downloads/${hashOf(404)}`)).status).toBe(404);
  });

  it('deletes a torrent', async () => {
    const response = await http().delete(`/downloads/${hashOf(6)}?delete_files=true`);
    expect(response.status).toBe(200);
    await waitForTorrent(client, hashOf(6), (torrent) => torrent === null);
  });

  it('cancels held torrents and reports unknown ones', async () => {
    const response = await http()
      .post('/downloads/cancel')
      .send({ hashes: [hashOf(7), hashOf(404), hashOf(8)] });

    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { status: string }) => r.status)).toEqual([
      'cancelled',
      'not_found',
      'cancelled',
    ]);
    await waitForTorrent(client, hashOf(7), (torrent) => torrent === null);
    await waitForTorrent(client, hashOf(8), (torrent) => torrent === null);
    expect(await torrentOf(client, hashOf(9))).not.toBeNull();
  });
});
