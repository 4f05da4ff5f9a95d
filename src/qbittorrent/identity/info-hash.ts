import { base32, hex } from '@scure/base';

/** The ways a caller may write a torrent's hash, for messages. */
export const INFO_HASH_FORMS = '40 hex, 32 base32 or 64 hex characters';

const HEX_40 = /^[0-9a-f]{40}$/i;
const HEX_64 = /^[0-9a-f]{64}$/i;
const BASE32_32 = /^[a-z2-7]{32}$/i;

/**
 * A v1 info-hash as magnet links write it (40 hex, or the legacy 32-character base32 form) in
 * the form qBittorrent keeps it: 40 lowercase hex characters. `null` for anything else.
 */
export function v1HashOf(digest: string): string | null {
  if (HEX_40.test(digest)) return digest.toLowerCase();
  if (BASE32_32.test(digest)) return hex.encode(base32.decode(digest.toUpperCase()));
  return null;
}

/** A v2 info-hash (SHA-256, 64 hex characters), lowercased; `null` for anything else. */
export function v2HashOf(digest: string): string | null {
  return HEX_64.test(digest) ? digest.toLowerCase() : null;
}

/**
 * The torrent id qBittorrent holds a torrent under, from any way a caller may write its hash:
 * 40 hex (any case), the legacy 32-character base32 form of magnet links, or a full v2 SHA-256
 * (64 hex, which qBittorrent truncates to 40). `null` for anything else.
 */
export function torrentIdOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return v1HashOf(value) ?? v2HashOf(value)?.slice(0, 40) ?? null;
}

/**
 * What decides the id qBittorrent gives a torrent: libtorrent 2 (qBittorrent 4.4 and later, most
 * builds) takes its v2 hash truncated to 40 hex characters when it has one (v2-only or hybrid),
 * libtorrent 1.2 (4.2, 4.3, some later builds) knows v1 only.
 */
export interface TorrentIdentity {
  /** The id on libtorrent 2. */
  hash: string;
  /** The v1 info-hash (SHA-1): the id on libtorrent 1.2; null for a v2-only torrent. */
  v1Hash: string | null;
  /** Whether it has a v2 hash (v2-only or hybrid). */
  v2: boolean;
}

/** The id a qBittorrent on libtorrent 2 or 1.x gives the torrent; null when 1.x cannot take it. */
export function torrentIdOn(torrent: TorrentIdentity, libtorrent2: boolean): string | null {
  return libtorrent2 || !torrent.v2 ? torrent.hash : torrent.v1Hash;
}
