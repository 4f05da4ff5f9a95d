/** The n-th test info-hash: n in hex, padded to 40 characters. */
export const hashOf = (n: number): string => n.toString(16).padStart(40, '0');

/** A magnet of the n-th test hash, named `episode-<n>`, naming no tracker. */
export const magnetOf = (n: number): string => `magnet:?xt=urn:btih:${hashOf(n)}&dn=episode-${n}`;
