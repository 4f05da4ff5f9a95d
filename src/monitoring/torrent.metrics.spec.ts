import { describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { InstanceSnapshot, QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import type { ViewedTorrent } from '../qbittorrent/pool/instance-view.js';
import { TorrentMetrics } from './torrent.metrics.js';

const DEAD_AFTER_S = 600;
const nowS = () => Math.floor(Date.now() / 1000);

/** A torrent as the view keeps it: stalled on metadata since an hour ago, no tracker answering. */
const torrent = (changes: Partial<ViewedTorrent> = {}): ViewedTorrent => ({
  amount_left: 0,
  progress: 0,
  size: 0,
  state: 'metaDL',
  num_seeds: 0,
  num_complete: 0,
  availability: 0,
  added_on: nowS() - 3600,
  last_activity: 0,
  downloaded: 0,
  tracker: '',
  trackers_count: 1,
  ...changes,
});

function metricsOf(snapshots: InstanceSnapshot[]) {
  const metrics = new MetricsService();
  const pool = { snapshots: () => snapshots } as unknown as QbittorrentPool;
  const config = {
    get: () => ({ deadTorrentAfterS: DEAD_AFTER_S }),
  } as unknown as ConfigService<AppConfig, true>;
  new TorrentMetrics(metrics, pool, config);
  return async (name: string, labels: string) => {
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
}

const TRACKER = 'http://tracker.test/announce';

describe(TorrentMetrics.name, () => {
  it('counts torrents by status and state, stalled and dead by the first source that fails', async () => {
    const sample = metricsOf([
      {
        label: 'qb:8080',
        queueing: null,
        torrents: [
          torrent(), // no tracker answers, an hour stalled: dead
          torrent({ tracker: TRACKER }), // a tracker answers, no metadata: dead
          torrent({ tracker: TRACKER, added_on: nowS() - 10 }), // stalled, not dead yet
          torrent({ tracker: TRACKER, state: 'stalledDL', size: 10, amount_left: 10 }), // no seeds: dead
          torrent({ tracker: TRACKER, state: 'stalledDL', num_complete: 3 }), // seeds: alive
          torrent({ state: 'downloading', tracker: TRACKER }),
          torrent({ state: 'queuedDL' }),
          torrent({ state: 'stalledUP', progress: 1 }),
          torrent({ state: 'stoppedDL' }),
        ],
      },
    ]);
    const of = (name: string, labels: string) => sample(name, `qbittorrent="qb:8080",${labels}`);
    expect(await of('downloader_torrents', 'status="downloading",state="metadata"')).toBe(3);
    expect(await of('downloader_torrents', 'status="downloading",state="downloading"')).toBe(3);
    expect(await of('downloader_torrents', 'status="downloading",state="queued"')).toBe(1);
    expect(await of('downloader_torrents', 'status="completed",state="completed"')).toBe(1);
    expect(await of('downloader_torrents', 'status="paused",state="paused"')).toBe(1);
    expect(await of('downloader_torrents', 'status="error",state="error"')).toBe(0);
    expect(await of('downloader_torrents_stalled', 'reason="trackers_failing"')).toBe(1);
    expect(await of('downloader_torrents_stalled', 'reason="no_metadata"')).toBe(2);
    expect(await of('downloader_torrents_stalled', 'reason="no_peers"')).toBe(2);
    expect(await of('downloader_torrents_dead', 'reason="trackers_failing"')).toBe(1);
    expect(await of('downloader_torrents_dead', 'reason="no_metadata"')).toBe(1);
    expect(await of('downloader_torrents_dead', 'reason="no_peers"')).toBe(1);
    // Queueing off (or never read): no slot to hold, no series.
    expect(
      await sample('downloader_dead_torrents_in_slots', 'qbittorrent="qb:8080"'),
    ).toBeUndefined();
  });

  it('counts the slots dead torrents hold where qBittorrent counts stalled torrents in its queue', async () => {
    const dead = [torrent(), torrent(), torrent({ state: 'queuedDL' })];
    const sample = metricsOf([
      { label: 'counting', queueing: { downloadSlots: 2, stalledHoldSlots: true }, torrents: dead },
      {
        label: 'ignoring',
        queueing: { downloadSlots: 2, stalledHoldSlots: false },
        torrents: dead,
      },
    ]);
    expect(await sample('downloader_dead_torrents_in_slots', 'qbittorrent="counting"')).toBe(2);
    expect(await sample('downloader_dead_torrents_in_slots', 'qbittorrent="ignoring"')).toBe(0);
  });

  it('reports nothing of an instance not read yet', async () => {
    const sample = metricsOf([]);
    expect(
      await sample(
        'downloader_torrents',
        'qbittorrent="qb:8080",status="downloading",state="metadata"',
      ),
    ).toBeUndefined();
  });

  it('counts once per scrape, afresh at each', async () => {
    const metrics = new MetricsService();
    const torrents = [torrent()];
    const snapshots = jest.fn(() => [{ label: 'qb', queueing: null, torrents }]);
    const config = { get: () => ({ deadTorrentAfterS: DEAD_AFTER_S }) };
    new TorrentMetrics(
      metrics,
      { snapshots } as unknown as QbittorrentPool,
      config as unknown as ConfigService<AppConfig, true>,
    );
    const stalled = async () =>
      (await metrics.registry.metrics()).match(
        /^downloader_torrents_stalled\{qbittorrent="qb",reason="trackers_failing"\} (\d+)$/m,
      )?.[1];
    expect(await stalled()).toBe('1');
    expect(snapshots).toHaveBeenCalledTimes(1);
    torrents.push(torrent());
    await new Promise((resolve) => setImmediate(resolve));
    expect(await stalled()).toBe('2');
    expect(snapshots).toHaveBeenCalledTimes(2);
  });
});
