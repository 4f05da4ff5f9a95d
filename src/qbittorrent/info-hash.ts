import { base32, hex } from '@scure/base';

const HEX_40 = /^[0-9a-f]{40}$/i;
const HEX_64 = /^[0-9a-f]{64}$/i;
const BASE32_32 = /^[a-z2-7]{32}$/i;

/** A torrent id as qBittorrent reports it (40 hex), lowercased; `null` for anything else. */
export function normalizeInfoHash(value: unknown): string | null {
  return typeof value === 'string' && HEX_40.test(value) ? value.toLowerCase() : null;
}

/**
 * The torrent id qBittorrent holds a torrent under, from any way a caller may write its hash:
 * 40 hex (any case), the legacy 32-character base32 form of magnet links, or a full v2 SHA-256
 * (64 hex, which qBittorrent truncates to 40). `null` for anything else.
 */
export function torrentIdOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (HEX_40.test(value)) return value.toLowerCase();
  if (BASE32_32.test(value)) return hex.encode(base32.decode(value.toUpperCase()));
  if (HEX_64.test(value)) return value.slice(0, 40).toLowerCase();
  return null;
}
