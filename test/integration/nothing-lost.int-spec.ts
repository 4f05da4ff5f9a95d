import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import type { QbittorrentClient } from '../../src/qbittorrent/wire/qbittorrent.client.js';
import type { TestApp } from '../support/app.js';
import {
  setPreferences,
  startAppFor,
  versionsUnderTest,
  waitForTorrent,
} from '../support/real-qbittorrent.js';

const hashOf = (n: number) => `dead${n.toString(16).padStart(36, '0')}`;

/**
 * On a real qBittorrent set up the way that loses episodes: Automatic Torrent Management and
 * "add stopped" on by default, finished torrents removed at ratio 1, DHT off (as in every test
 * instance), a low ban threshold.
 */
describe.each(versionsUnderTest())('nothing silently lost on qBittorrent %s', (version) => {
  let qbittorrent: RunningQbittorrent;
  let sut: TestApp;
  let client: QbittorrentClient;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    qbittorrent = await startQbittorrent({ version });
    await setPreferences(qbittorrent, {
      auto_tmm_enabled: true,
      start_paused_enabled: true, // 4.x
      add_stopped_enabled: true, // 5.x
      max_ratio_enabled: true,
      max_ratio: 1,
      max_ratio_act: 1,
      web_ui_max_auth_fail_count: 3,
    });
    sut = await startAppFor(qbittorrent, { DEAD_TORRENT_AFTER_S: '1' });
    client = sut.client;
  });

  afterAll(async () => {
    await sut?.close();
    await qbittorrent?.stop();
  });

  it('names the risky settings in readiness details, still ready', async () => {
    const response = await http().get('/health/ready');
    expect(response.status).toBe(200);
    const settings = (response.body.info.qbittorrent.risky_settings as { setting: string }[]).map(
      (risk) => risk.setting,
    );
    expect(settings).toEqual([
      'Automatic Torrent Management on by default',
      'new torrents added stopped',
      'share ratio limit 1',
      'DHT off',
      'ban after 3 failed logins',
    ]);
  });

  it('files a torrent where save_path says and starts it, despite both defaults', async () => {
    const savePath = qbittorrent.instancePath(`${qbittorrent.downloadDir}/Show`);
    const response = await http()
      .post('/download')
      .send({ link_id: 1, url: `magnet:?xt=urn:btih:${hashOf(1)}`, save_path: savePath });
    expect(response.status).toBe(201);
    const torrent = await waitForTorrent(client, hashOf(1), (t) => t !== null);
    expect(torrent?.save_path.replace(/\/$/, '')).toBe(savePath);
    expect(torrent?.state).not.toMatch(/^(paused|stopped)/);
  });

  it('adds it stopped when asked', async () => {
    await http()
      .post('/download')
      .send({ link_id: 2, url: `magnet:?xt=urn:btih:${hashOf(2)}`, paused: true });
    const torrent = await waitForTorrent(client, hashOf(2), (t) => t !== null);
    expect(torrent?.state).toMatch(/^(paused|stopped)DL$/);
  });

  it('warns of a magnet without trackers, and reports it dead once stalled past the limit', async () => {
    const batch = await http()
      .post('/downloads')
      .send({ items: [{ url: `magnet:?xt=urn:btih:${hashOf(3)}` }] });
    expect(batch.body.results[0]).toMatchObject({
      status: 'accepted',
      warning: expect.stringContaining('names no tracker and DHT is off'),
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const status = await http().get(`/downloads?hashes=${hashOf(3)}`);
    expect(status.body.statuses[0]).toMatchObject({
      status: 'downloading',
      state: 'metadata',
      seeds: 0,
      dead: true,
    });
    expect(Date.parse(status.body.statuses[0].stalled_since)).toBeLessThan(Date.now() - 1000);
  });
});
