import { QbittorrentClient } from './qbittorrent.client.js';
import {
  type QbittorrentPreferences,
  type SettingRisk,
  settingRisks,
  versionRisk,
} from './qbittorrent-settings.js';

/** Settings change rarely; readiness probes and batches should not ask for them every time. */
const CACHE_MS = 60_000;

/**
 * qBittorrent's own settings, read at most once a minute, and those that can lose downloads; a
 * version older than the oldest proven one is named among them.
 */
export class QbittorrentSettings {
  private cached: { preferences: QbittorrentPreferences; until: number } | null = null;

  constructor(private readonly client: QbittorrentClient) {}

  async preferences(): Promise<QbittorrentPreferences> {
    if (this.cached && Date.now() < this.cached.until) return this.cached.preferences;
    const preferences = await this.client.getPreferences();
    this.cached = { preferences, until: Date.now() + CACHE_MS };
    return preferences;
  }

  async risks(): Promise<SettingRisk[]> {
    const risks = settingRisks(await this.preferences());
    const version = this.client.version;
    const old = version === null ? null : versionRisk(version.app);
    return old === null ? risks : [old, ...risks];
  }

  /** Whether DHT is known to be off; false when the settings cannot be read. */
  async dhtOff(): Promise<boolean> {
    try {
      return (await this.preferences()).dht === false;
    } catch {
      return false;
    }
  }
}
