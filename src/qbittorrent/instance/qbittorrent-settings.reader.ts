import type { QbittorrentClient } from '../wire/qbittorrent.client.js';
import type { QbittorrentPreferences } from '../wire/qbittorrent.types.js';
import { type SettingRisk, settingRisks, versionRisk } from './qbittorrent-settings.js';

/** Settings change rarely; readiness probes and batches should not ask for them every time. */
const CACHE_MS = 60_000;

/**
 * qBittorrent's own settings, read at most once a minute (callers asking while a read is on its
 * way share it), and those that can lose downloads; a version older than the oldest proven one is
 * named among them.
 */
export class QbittorrentSettings {
  private cached: { preferences: Promise<QbittorrentPreferences>; until: number } | null = null;
  private last: QbittorrentPreferences | null = null;

  constructor(private readonly client: QbittorrentClient) {}

  preferences(): Promise<QbittorrentPreferences> {
    if (this.cached && Date.now() < this.cached.until) return this.cached.preferences;
    const preferences = this.client.getPreferences();
    const entry = { preferences, until: Infinity };
    this.cached = entry;
    preferences.then(
      (read) => {
        entry.until = Date.now() + CACHE_MS;
        this.last = read;
      },
      () => {
        if (this.cached === entry) this.cached = null;
      },
    );
    return preferences;
  }

  async risks(): Promise<SettingRisk[]> {
    return this.risksOf(await this.preferences());
  }

  /**
   * The settings as last read, and their risks, without waiting (for /metrics): when that read is
   * over a minute old, another starts in the background. Null before any read succeeded.
   */
  lastKnown(): { preferences: QbittorrentPreferences; risks: SettingRisk[] } | null {
    if (this.cached === null || Date.now() >= this.cached.until) {
      this.preferences().catch(() => undefined);
    }
    return this.lastRead();
  }

  /** The settings as last read, and their risks; asks nothing. */
  lastRead(): { preferences: QbittorrentPreferences; risks: SettingRisk[] } | null {
    return this.last === null ? null : { preferences: this.last, risks: this.risksOf(this.last) };
  }

  private risksOf(preferences: QbittorrentPreferences): SettingRisk[] {
    const risks = settingRisks(preferences);
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
