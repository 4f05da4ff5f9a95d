// What GET /metrics costs, for `npm run bench -- --base` (ab.mjs): the scrape itself, with 5,000
// torrents in qBittorrent, and the view of one qBittorrent that the first scrape starts.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMsOf, cpuShare, stop, timed } from './harness.mjs';

/** A scrape's goal: under 50 ms with 5,000 torrents (issue 30). */
const SCRAPE_GOAL_MS = 50;

/** How long the scrape section watches qBittorrent's CPU: before the first scrape, and from it on. */
const QUIET_WINDOW_MS = 60_000;
const SCRAPE_WINDOW_MS = 120_000;

/**
 * GET /metrics of a fresh service (one build) whose qBittorrent holds the archive, as Prometheus
 * would scrape it, and what that costs qBittorrent. First qBittorrent's CPU over QUIET_WINDOW_MS
 * with nothing scraped (nothing of the service runs then); then the first scrape (with one
 * qBittorrent it starts the view), and, once the view is read, 20 scrapes timed, with the
 * qBittorrent calls made meanwhile, by operation; and qBittorrent's CPU over SCRAPE_WINDOW_MS from
 * the first scrape on, scraped every 15 s. The difference of the two CPU figures is the view's cost.
 * @param {() => Promise<{ url: string, child: import('node:child_process').ChildProcess }>} startService
 *   starts the fresh service @param {number} qbittorrentPid
 */
export async function scrapeCost(startService, qbittorrentPid) {
  const service = await startService();
  try {
    const scrape = async () => {
      const response = await fetch(`${service.url}/metrics`);
      if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
      return response.text();
    };
    const calls = async () => {
      /** @type {Record<string, number>} */
      const byOperation = {};
      for (const [, operation, count] of (await scrape()).matchAll(
        /^downloader_qbittorrent_request_duration_seconds_count\{[^}]*operation="([^"]+)"[^}]*\} (\d+)/gm,
      )) {
        byOperation[operation] = (byOperation[operation] ?? 0) + Number(count);
      }
      return byOperation;
    };
    const quietShare = await cpuShare(qbittorrentPid, QUIET_WINDOW_MS);
    const cpuBefore = cpuMsOf(qbittorrentPid);
    const started = performance.now();
    const firstMs = await timed(scrape);
    // With a view (HEAD): its first read of the archive; a base without one has nothing to wait for.
    for (let tries = 0; tries < 600; tries++) {
      const text = await scrape();
      if (
        !text.includes('# TYPE downloader_torrents gauge') ||
        /^downloader_torrents\{/m.test(text)
      )
        break;
      await sleep(100);
    }
    const before = await calls();
    /** @type {number[]} */
    const each = [];
    for (let i = 0; i < 20; i++) {
      each.push(await timed(scrape));
      await sleep(50);
    }
    const after = await calls();
    while (performance.now() - started < SCRAPE_WINDOW_MS) {
      await sleep(Math.min(15_000, SCRAPE_WINDOW_MS - (performance.now() - started)));
      await scrape();
    }
    const scrapedShare =
      ((cpuMsOf(qbittorrentPid) - cpuBefore) / (performance.now() - started)) * 100;
    each.sort((x, y) => x - y);
    const during = Object.entries(after)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)])
      // The two `calls()` scrapes themselves are not among the 20.
      .filter(([, count]) => Number(count) > 0)
      .map(([operation, count]) => `${operation} ${count}`);
    return { firstMs, p50: each[10], max: each[19], during, quietShare, scrapedShare };
  } finally {
    await stop(service.child);
  }
}

/**
 * The scrape rows: GET /metrics with the archive in qBittorrent.
 * @param {any[]} scrapes @param {(v: number) => string} ms @param {number} torrents
 */
export function scrapeRows([a, b], ms, torrents) {
  const pct = (/** @type {number} */ v) => `${v.toFixed(2)}%`;
  const points = (/** @type {any} */ run) =>
    `${(run.scrapedShare - run.quietShare).toFixed(2)} points`;
  return [
    `| GET /metrics with the ${torrents} in qBittorrent: first scrape; then p50 / max of 20 | ${ms(a.firstMs)}; ${ms(a.p50)} / ${ms(a.max)} | ${ms(b.firstMs)}; ${ms(b.p50)} / ${ms(b.max)} | | < ${SCRAPE_GOAL_MS} ms: ${b.max < SCRAPE_GOAL_MS ? 'met' : 'MISSED'} |`,
    `| qBittorrent calls during those 20 scrapes, by operation | ${a.during.join(', ') || 'none'} | ${b.during.join(', ') || 'none'} | | at most 1 cheap call per scrape |`,
    `| qBittorrent's CPU: ${QUIET_WINDOW_MS / 1000} s unscraped; ${SCRAPE_WINDOW_MS / 1000} s from the first scrape, every 15 s | ${pct(a.quietShare)}; ${pct(a.scrapedShare)} | ${pct(b.quietShare)}; ${pct(b.scrapedShare)} | | |`,
    `| the view's cost to qBittorrent (scraped minus unscraped) | ${points(a)} | ${points(b)} | | <= 2% of a core: ${b.scrapedShare - b.quietShare <= 2 ? 'met' : 'MISSED'} |`,
  ];
}
