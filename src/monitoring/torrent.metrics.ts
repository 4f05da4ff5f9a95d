import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import type { ViewedTorrent } from '../qbittorrent/pool/instance-view.js';
import { livenessOf } from '../downloads/torrents/torrent-liveness.js';
import { stateOf, statusOf, TORRENT_STATES } from '../downloads/torrents/torrent-state.js';

/**
 * Why a stalled torrent gets nothing, the first source along the way that fails: no tracker answers
 * (or it has none, and lives on DHT alone), else a tracker answers and no peer sent the metadata,
 * else no peer has what it needs. The same on every version (4.2.5 does not count trackers).
 */
export const STALL_REASONS = ['trackers_failing', 'no_metadata', 'no_peers'] as const;
type StallReason = (typeof STALL_REASONS)[number];

/** What /metrics counts of one instance's torrents. */
interface Counts {
  states: Map<string, number>;
  stalled: Map<StallReason, number>;
  dead: Map<StallReason, number>;
}

/** One instance's counts, and whether its dead torrents hold slots (null: queueing off or unknown). */
interface Counted {
  label: string;
  counts: Counts;
  deadHoldSlots: boolean | null;
}

/**
 * The torrents of each qBittorrent kept in view, counted when /metrics is scraped: by the core's
 * status and the finer state, stalled and dead by reason (dead as GET /downloads judges it, after
 * DEAD_TORRENT_AFTER_S), and the download slots dead torrents hold. Read from the pool's views,
 * never from qBittorrent: a scrape costs a pass over what the background looks already read.
 */
@Injectable()
export class TorrentMetrics {
  constructor(
    metrics: MetricsService,
    pool: QbittorrentPool,
    config: ConfigService<AppConfig, true>,
  ) {
    const deadAfterS = config.get('status', { infer: true }).deadTorrentAfterS;
    // Counted once per scrape for all four gauges: prom-client calls their collect() one after the
    // other in one go, so what was counted is dropped once that is over.
    let counted: Counted[] | null = null;
    const count = (): Counted[] => {
      if (counted !== null) return counted;
      const nowS = Math.floor(Date.now() / 1000);
      counted = pool.snapshots().map(({ label, torrents, queueing }) => ({
        label,
        counts: countsOf(torrents, deadAfterS, nowS),
        deadHoldSlots: queueing === null ? null : queueing.stalledHoldSlots,
      }));
      setImmediate(() => (counted = null));
      return counted;
    };
    metrics.gauge({
      name: 'downloader_torrents',
      help: 'Torrents each qBittorrent holds, by the status the core reads and the finer state',
      labelNames: ['qbittorrent', 'status', 'state'] as const,
      collect() {
        this.reset();
        for (const { label, counts } of count()) {
          for (const state of TORRENT_STATES) {
            const status = statusOf(state);
            this.set({ qbittorrent: label, status, state }, counts.states.get(state) ?? 0);
          }
        }
      },
    });
    const byReason = (
      name: string,
      help: string,
      read: (counts: Counts) => Map<StallReason, number>,
    ) =>
      metrics.gauge({
        name,
        help,
        labelNames: ['qbittorrent', 'reason'] as const,
        collect() {
          this.reset();
          for (const { label, counts } of count()) {
            for (const reason of STALL_REASONS) {
              this.set({ qbittorrent: label, reason }, read(counts).get(reason) ?? 0);
            }
          }
        },
      });
    byReason(
      'downloader_torrents_stalled',
      'Incomplete torrents waiting for peers (stalledDL, metaDL), by why',
      (counts) => counts.stalled,
    );
    byReason(
      'downloader_torrents_dead',
      'Stalled torrents judged dead (DEAD_TORRENT_AFTER_S without metadata or seeds), by why',
      (counts) => counts.dead,
    );
    metrics.gauge({
      name: 'downloader_dead_torrents_in_slots',
      help: 'Download slots held by dead torrents (qBittorrent queueing on, slow torrents counted)',
      labelNames: ['qbittorrent'] as const,
      collect() {
        this.reset();
        for (const { label, counts, deadHoldSlots } of count()) {
          if (deadHoldSlots === null) continue;
          let dead = 0;
          for (const value of counts.dead.values()) dead += value;
          this.set({ qbittorrent: label }, deadHoldSlots ? dead : 0);
        }
      },
    });
  }
}

function countsOf(torrents: Iterable<ViewedTorrent>, deadAfterS: number, nowS: number): Counts {
  const counts: Counts = { states: new Map(), stalled: new Map(), dead: new Map() };
  const add = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const torrent of torrents) {
    add(counts.states, stateOf(torrent.state));
    const { stalledSince, dead } = livenessOf(torrent, deadAfterS, nowS);
    if (stalledSince === null) continue;
    const reason = stallReasonOf(torrent);
    add(counts.stalled, reason);
    if (dead) add(counts.dead, reason);
  }
  return counts;
}

function stallReasonOf(torrent: ViewedTorrent): StallReason {
  if (torrent.tracker === '') return 'trackers_failing';
  if (torrent.state === 'metaDL' || torrent.state === 'forcedMetaDL') return 'no_metadata';
  return 'no_peers';
}
