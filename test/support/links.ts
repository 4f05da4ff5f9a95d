import { base32, hex } from '@scure/base';

/** The n-th test info-hash: n in hex, padded to 40 characters. */
export const hashOf = (n: number): string => n.toString(16).padStart(40, '0');

/** A magnet of the n-th test hash, named `episode-<n>`, naming no tracker. */
export const magnetOf = (n: number): string => `magnet:?xt=urn:btih:${hashOf(n)}&dn=episode-${n}`;

/** A 40-hex hash in the legacy 32-character base32 form old magnet links and downloaders wrote. */
export const base32Of = (hash: string): string => base32.encode(hex.decode(hash));
