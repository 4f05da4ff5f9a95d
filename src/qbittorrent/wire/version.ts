// Versions as qBittorrent, its WebAPI and libtorrent write them (`v4.2.5`, `2.8.19`, `2.0.8.0`),
// compared part by part: what the dialect, the client and the settings audit decide by.

/** Whether a version string (`v4.2.5`, `2.0.8.0`) is `reference` or later. */
export function isAtLeast(version: string, reference: number[]): boolean {
  return compareVersions(version, reference) >= 0;
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
