const INFO_HASH = /^[0-9a-f]{40}$/i;

/** A torrent id as qBittorrent reports it, lowercased; `null` for anything else. */
export function normalizeInfoHash(value: unknown): string | null {
  return typeof value === 'string' && INFO_HASH.test(value) ? value.toLowerCase() : null;
}
