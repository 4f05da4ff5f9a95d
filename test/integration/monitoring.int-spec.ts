import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type RunningQbittorrent, startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { startApp, type TestApp } from '../support/app.js';
import { report } from '../support/faults.js';
import { magnetOf } from '../support/links.js';
import { type ListedAlert, RunningPrometheus, rulesWithShortFor } from '../support/prometheus.js';
import { setPreferences, versionsUnderTest } from '../support/real-qbittorrent.js';

const version = versionsUnderTest()[0];
const PASSWORD = 'monitoring-alerts';
const GiB = 1024 ** 3;
const TOKEN = 'a-token-for-prometheus-scrapes';
const root = join(import.meta.dirname, '..', '..');

const named = (alert: string, labels: Record<string, string>) => (firing: ListedAlert[]) =>
  firing.some(
    (candidate) =>
      candidate.labels.alertname === alert &&
      Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
  );

/**
 * The shipped alert rules on a real Prometheus, scraping the service every second, the service
 * driving real qBittorrents: three services (one Prometheus job each) for three incidents.
 */
describe(`alerts on a real Prometheus (qBittorrent ${version})`, () => {
  const qbittorrents: RunningQbittorrent[] = [];
  const apps: TestApp[] = [];
  let prometheus: RunningPrometheus | undefined;
  let killed: RunningQbittorrent;
  let refusing: RunningQbittorrent;
  let queueing: RunningQbittorrent;
  let [watched, locked, queued] = [] as TestApp[];

  const label = (qbittorrent: RunningQbittorrent) => new URL(qbittorrent.url).host;
  const targetOf = async (app: TestApp) =>
    new URL(await app.app.getUrl()).host.replace('[::1]', '127.0.0.1');

  beforeAll(async () => {
    // Download folders of a known size (tmpfs): the free space qBittorrent reports is real where
    // it could not tell otherwise (in a chroot), and the queueing one's 1 GiB is under the floor.
    for (const bytes of [50 * GiB, 50 * GiB, GiB]) {
      qbittorrents.push(
        await startQbittorrent({ version, password: PASSWORD, downloadFolderBytes: bytes }),
      );
    }
    [killed, refusing, queueing] = qbittorrents;
    // The queue of rust-bangumi's incident: slots counted for slow torrents too, one slot here.
    await setPreferences(queueing, {
      queueing_enabled: true,
      max_active_downloads: 1,
      max_active_torrents: 1,
      dont_count_slow_torrents: false,
    });
    const env = (qbittorrent: RunningQbittorrent, extra: Record<string, string> = {}) => ({
      QBITTORRENT_URL: qbittorrent.url,
      QBITTORRENT_USER: 'admin',
      QBITTORRENT_PASSWORD: PASSWORD,
      ...extra,
    });
    watched = await startApp(env(killed, { API_TOKEN: TOKEN }));
    locked = await startApp(env(refusing, { QBITTORRENT_PASSWORD: 'not-the-password' }));
    queued = await startApp(env(queueing, { DEAD_TORRENT_AFTER_S: '1' }));
    apps.push(watched, locked, queued);
    prometheus = await RunningPrometheus.start(
      [
        { name: 'downloader-qbittorrent', target: await targetOf(watched), token: TOKEN },
        { name: 'downloader-locked', target: await targetOf(locked) },
        { name: 'downloader-queued', target: await targetOf(queued) },
      ],
      rulesWithShortFor(join(root, 'deploy/monitoring/downloader.rules.yml')),
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const app of apps) await app.close();
    for (const qbittorrent of qbittorrents) await qbittorrent.stop();
  });

  it('fires instance-down when qBittorrent is killed, add-failure on refused logins, dead-slots on a dead magnet holding the one slot, room under the floor', async () => {
    const sut = prometheus as RunningPrometheus;
    // Every service scraped (the first with its token) before anything happens: increase() sees
    // a counter move only from a sample taken before. The one qBittorrent is kept in view from the
    // first scrape on.
    await until(async () => (await sut.query('up == 1')).length === 3);
    await until(
      async () =>
        (await sut.query('downloader_qbittorrent_up{job="downloader-qbittorrent"} == 1')).length ===
        1,
    );

    // Two magnets nobody seeds (no tracker, DHT off): the first takes the slot, the second waits.
    const add = (app: TestApp, n: number) =>
      request(app.app.getHttpServer())
        .post('/download')
        .send({ link_id: n, url: magnetOf(n) });
    expect((await add(queued, 0x50001)).status).toBe(201);
    await sleep(300);
    expect((await add(queued, 0x50002)).status).toBe(201);
    // Wrong credentials: every add fails on qBittorrent's login.
    for (let n = 0; n < 3; n++) expect((await add(locked, 0x51000 + n)).status).toBe(500);
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;

    const firing = await sut.firingWhen(
      (alerts) =>
        named('DownloaderQbittorrentDown', {
          job: 'downloader-qbittorrent',
          qbittorrent: label(killed),
        })(alerts) &&
        named('DownloaderAllQbittorrentsDown', { job: 'downloader-qbittorrent' })(alerts) &&
        named('DownloaderLoginRefused', { job: 'downloader-locked' })(alerts) &&
        // The test's qBittorrents run with DHT off and these magnets name no tracker: no peer
        // source at all, as in the dead-tracker incident.
        named('DownloaderNoPeerSource', { job: 'downloader-queued', qbittorrent: label(queueing) })(
          alerts,
        ) &&
        // 1 GiB of room: under the 10 GiB floor.
        named('DownloaderRoomLow', { job: 'downloader-queued', qbittorrent: label(queueing) })(
          alerts,
        ) &&
        named('DownloaderDeadTorrentsHoldSlots', {
          job: 'downloader-queued',
          qbittorrent: label(queueing),
        })(alerts),
      60_000,
    );
    for (const alert of firing) {
      report(
        `firing: ${alert.labels.alertname} ${JSON.stringify(alert.labels)}`,
        `${alert.annotations.summary} (value ${alert.value})`,
        'input',
      );
    }
    // Nothing fires for what did not happen. A qBittorrent that refuses the login cannot be used
    // either: down for the service, as its summary says.
    const usable = ['downloader-qbittorrent', 'downloader-locked'];
    const wrong = firing.filter(
      ({ labels }) =>
        (labels.alertname === 'DownloaderQbittorrentDown' && !usable.includes(labels.job)) ||
        (labels.alertname === 'DownloaderLoginRefused' && labels.job !== 'downloader-locked') ||
        (labels.alertname === 'DownloaderDeadTorrentsHoldSlots' &&
          labels.job !== 'downloader-queued') ||
        (labels.alertname === 'DownloaderRoomLow' && labels.job !== 'downloader-queued') ||
        labels.alertname === 'DownloaderNotScraped' ||
        (labels.alertname === 'DownloaderNoPeerSource' && labels.job !== 'downloader-queued'),
    );
    expect(wrong).toEqual([]);
    const loginRefused = firing.find(
      (alert) => alert.labels.alertname === 'DownloaderLoginRefused',
    );
    expect(loginRefused?.annotations.runbook).toContain('QBITTORRENT_PASSWORD');
    // The dead magnet in the slot, the other queued behind it, as the service counted them.
    const counted = await sut.query(
      `downloader_dead_torrents_in_slots{job="downloader-queued"} or downloader_torrents{job="downloader-queued",state="queued"}`,
    );
    expect(
      counted.map(({ metric, value }) => [metric.__name__, metric.state, value[1]]).sort(),
    ).toEqual([
      ['downloader_dead_torrents_in_slots', undefined, '1'],
      ['downloader_torrents', 'queued', '1'],
    ]);
    report(
      `queued service's torrents`,
      JSON.stringify(await sut.query('downloader_torrents{job="downloader-queued"} > 0')),
      'input',
    );
  });

  it('answers every query of the dashboard with at least one series', async () => {
    const sut = prometheus as RunningPrometheus;
    const dashboard = JSON.parse(
      readFileSync(join(root, 'deploy/monitoring/grafana-dashboard.json'), 'utf8'),
    ) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        let series = await sut.query(expr);
        for (let tries = 0; series.length === 0 && tries < 100; tries++) {
          await sleep(300);
          series = await sut.query(expr);
        }
        expect({ panel: panel.title, expr, series: series.length > 0 }).toEqual({
          panel: panel.title,
          expr,
          series: true,
        });
      }
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('not in time');
    await sleep(250);
  }
}
