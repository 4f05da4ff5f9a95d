/** What differs between qBittorrent versions, as far as this client cares. */
export interface Dialect {
  /** WebAPI 2.11.0 (qBittorrent 5.0) renamed pause/resume to stop/start; the old names answer 404. */
  stopStart: boolean;
}

const STOP_START_SINCE = [2, 11, 0];

export function dialectFor(webApiVersion: string): Dialect {
  return { stopStart: compareVersions(webApiVersion, STOP_START_SINCE) >= 0 };
}

function compareVersions(version: string, reference: number[]): number {
  const parts = version
    .trim()
    .replace(/^v/i, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < reference.length; i++) {
    const difference = (parts[i] ?? 0) - reference[i];
    if (difference !== 0) return difference;
  }
  return 0;
}
