import type { QbittorrentPreferences } from '../wire/qbittorrent.types.js';
import { isAtLeast } from '../wire/version.js';

/** A setting of qBittorrent's that can lose downloads, and what it does to them. */
export interface SettingRisk {
  /** A fixed name for it, for metrics and alerts (`dht_off`, `share_ratio_limit`...). */
  key: string;
  setting: string;
  risk: string;
}

const ACTION: Record<number, string> = {
  0: 'stops',
  1: 'removes',
  2: 'super-seeds',
  3: 'removes, with its files,',
};

/** The oldest qBittorrent the compatibility suite proves on its real binary (Debian 11's). */
export const OLDEST_PROVEN = { name: '4.2.5', parts: [4, 2, 5] };

/** A qBittorrent older than the oldest proven one, named as a risk; null otherwise. */
export function versionRisk(appVersion: string): SettingRisk | null {
  if (isAtLeast(appVersion, OLDEST_PROVEN.parts)) return null;
  return {
    key: 'old_version',
    setting: `qBittorrent ${appVersion}`,
    risk: `older than ${OLDEST_PROVEN.name}, the oldest version this service is proven on: its answers may be misread`,
  };
}

/** qBittorrent bans an address after this many failed logins by default. */
export const DEFAULT_BAN_THRESHOLD = 5;

/** Every risky setting among `preferences`; empty when there is none. */
export function settingRisks(preferences: QbittorrentPreferences): SettingRisk[] {
  const risks: SettingRisk[] = [];
  const add = (key: string, setting: string, risk: string) => risks.push({ key, setting, risk });
  if (preferences.auto_tmm_enabled === true) {
    add(
      'auto_tmm',
      'Automatic Torrent Management on by default',
      'save paths come from categories; this service sends autoTMM=false with every save_path, other clients may not',
    );
  }
  if (preferences.start_paused_enabled === true || preferences.add_stopped_enabled === true) {
    add(
      'added_stopped',
      'new torrents added stopped',
      'this service asks for them to start; torrents added by others wait for a click',
    );
  }
  const action = ACTION[preferences.max_ratio_act ?? 0] ?? 'acts on';
  if (preferences.max_ratio_enabled === true) {
    add(
      'share_ratio_limit',
      `share ratio limit ${preferences.max_ratio ?? '?'}`,
      `qBittorrent ${action} a finished torrent at that ratio: removed before the core polls, it is not_found`,
    );
  }
  if (preferences.max_seeding_time_enabled === true) {
    add(
      'seeding_time_limit',
      `seeding time limit ${preferences.max_seeding_time ?? '?'} min`,
      `qBittorrent ${action} a finished torrent after that time: removed before the core polls, it is not_found`,
    );
  }
  if (preferences.max_inactive_seeding_time_enabled === true) {
    add(
      'inactive_seeding_time_limit',
      'inactive seeding time limit',
      `qBittorrent ${action} a finished torrent once idle: removed before the core polls, it is not_found`,
    );
  }
  if (preferences.dht === false) {
    add('dht_off', 'DHT off', 'a magnet without trackers never finds peers, nor its metadata');
  }
  if (preferences.queueing_enabled === true && preferences.dont_count_slow_torrents !== true) {
    add(
      'queueing_counts_stalled',
      'queueing without "do not count slow torrents"',
      'dead magnets keep their download slots: new episodes wait in queuedDL for ever',
    );
  }
  const threshold = preferences.web_ui_max_auth_fail_count;
  if (threshold !== undefined && threshold > 0 && threshold < DEFAULT_BAN_THRESHOLD) {
    add(
      'low_ban_threshold',
      `ban after ${threshold} failed logins`,
      `a wrong password bans this service's address for ${preferences.web_ui_ban_duration ?? '?'} s after ${threshold} attempts (replicas sharing an address share the count)`,
    );
  }
  return risks;
}
