import type { ViewedTorrent } from './instance-view.js';
import type { PoolMember } from './pool-member.js';

/** qBittorrent's queueing, as its settings were last read. */
export interface Queueing {
  /** Downloads active at once; the others wait in queuedDL (-1: no limit). */
  downloadSlots: number;
  /**
   * Whether a stalled download keeps its slot: "do not count slow torrents" off. A dead torrent
   * then holds a slot for ever.
   */
  stalledHoldSlots: boolean;
}

/** What one instance kept in view holds, as last read: for /metrics. */
export interface InstanceSnapshot {
  label: string;
  torrents: Iterable<ViewedTorrent>;
  /** Null with queueing off, or while its settings were never read. */
  queueing: Queueing | null;
}

/** `member` as /metrics sees it; none while nothing was read of it. */
export function snapshotOf(member: PoolMember): InstanceSnapshot[] {
  const { view, label } = member;
  if (view === null || view.syncedAt === null) return [];
  return [{ label, torrents: view.listedTorrents(), queueing: queueingOf(member) }];
}

function queueingOf(member: PoolMember): Queueing | null {
  const preferences = member.settingsKnown()?.preferences;
  if (preferences?.queueing_enabled !== true) return null;
  return {
    downloadSlots: preferences.max_active_downloads ?? -1,
    stalledHoldSlots: preferences.dont_count_slow_torrents !== true,
  };
}
