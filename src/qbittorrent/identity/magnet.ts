import { CONTROL_CHARACTER } from '../../common/text.js';
import { type TorrentIdentity, v1HashOf } from './info-hash.js';
import { InvalidMagnetError } from './identity.errors.js';

/** qBittorrent reads `urls` as a newline-separated list, so one more byte than this is one too many. */
export const MAX_MAGNET_BYTES = 8192;

/** A magnet link qBittorrent will accept, with the id qBittorrent will give its torrent. */
export interface MagnetLink extends TorrentIdentity {
  /** The torrent id qBittorrent on libtorrent 2 uses: 40 lowercase hex characters. */
  hash: string;
  /** The link to send to qBittorrent: the caller's link with its `xt` values in canonical form. */
  url: string;
  /** Whether it names a tracker (`tr`); without one, only DHT or PeX can find peers. */
  hasTrackers: boolean;
}

const SCHEME = /^magnet:\?/i;
const XT_KEY = /^xt(\.\d+)?$/i;
const URN = /^urn:(btih|btmh):(.*)$/i;
const SHA256_MULTIHASH = /^1220([0-9a-f]{64})$/i;

/**
 * Parses a magnet link the way qBittorrent does and returns the torrent id it will use:
 * a 40-hex `btih` lowercased, a 32-character base32 `btih` decoded to hex, and for a magnet with a
 * v2 `btmh` (alone or in a hybrid) the first 40 hex characters of its SHA-256 hash.
 * Throws InvalidMagnetError for anything qBittorrent would refuse or misread.
 */
export function parseMagnet(url: string): MagnetLink {
  const unsafe = unsafeLinkText(url);
  if (unsafe !== null) throw new InvalidMagnetError(unsafe);
  if (!SCHEME.test(url)) throw new InvalidMagnetError('Only magnet links supported');

  const v1 = new Set<string>();
  const v2 = new Set<string>();
  const params = url
    .slice('magnet:?'.length)
    .split('&')
    .map((param) => {
      const separator = param.indexOf('=');
      const key = separator < 0 ? param : param.slice(0, separator);
      if (!XT_KEY.test(key)) return param;
      const topic = readExactTopic(param.slice(separator + 1));
      if (!topic) return param;
      if (topic.kind === 'btih') v1.add(topic.hash);
      else v2.add(topic.hash);
      // qBittorrent refuses an upper-case `urn:BTIH:` but takes the canonical form of the same hash.
      return `${key.toLowerCase()}=urn:${topic.kind}:${topic.kind === 'btmh' ? '1220' : ''}${topic.hash}`;
    });

  if (v1.size > 1 || v2.size > 1) {
    throw new InvalidMagnetError(
      'magnet link names more than one torrent (several different xt info-hashes)',
    );
  }
  const [hashV1] = v1;
  const [hashV2] = v2;
  if (hashV1 === undefined && hashV2 === undefined) {
    throw new InvalidMagnetError(
      'magnet link has no info-hash (xt=urn:btih:... or xt=urn:btmh:...)',
    );
  }
  // qBittorrent's torrent id for anything with a v2 hash is that hash truncated to 40 hex characters.
  const hash = hashV2 !== undefined ? hashV2.slice(0, 40) : hashV1;
  const hasTrackers = params.some((param) => /^tr(\.\d+)?=./i.test(param));
  return {
    hash,
    v1Hash: hashV1 ?? null,
    v2: hashV2 !== undefined,
    url: `magnet:?${params.join('&')}`,
    hasTrackers,
  };
}

/**
 * Why a link's text may not be forwarded to qBittorrent at all (too long, or a control character
 * that could split or corrupt a form field), or null.
 */
export function unsafeLinkText(url: string): string | null {
  const bytes = Buffer.byteLength(url, 'utf8');
  if (bytes > MAX_MAGNET_BYTES) {
    return `url is ${bytes} bytes long; at most ${MAX_MAGNET_BYTES} are accepted`;
  }
  const control = CONTROL_CHARACTER.exec(url);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return (
      `url contains the control character U+${code} at position ${control.index}; ` +
      'control characters (CR, LF, tab, NUL...) are not allowed'
    );
  }
  return null;
}

interface ExactTopic {
  kind: 'btih' | 'btmh';
  /** v1: 40 lowercase hex; v2: 64 lowercase hex (the SHA-256 digest without its multihash prefix). */
  hash: string;
}

function readExactTopic(rawValue: string): ExactTopic | null {
  let value: string;
  try {
    value = decodeURIComponent(rawValue);
  } catch {
    throw new InvalidMagnetError(
      'magnet link has a malformed percent-encoding in its xt parameter',
    );
  }
  const urn = URN.exec(value);
  if (!urn) return null;
  const kind = urn[1].toLowerCase() as ExactTopic['kind'];
  const digest = urn[2];
  if (kind === 'btmh') {
    const sha256 = SHA256_MULTIHASH.exec(digest);
    if (!sha256) {
      throw new InvalidMagnetError(
        'xt=urn:btmh: info-hash must be a SHA-256 multihash: 1220 followed by 64 hex characters',
      );
    }
    return { kind, hash: sha256[1].toLowerCase() };
  }
  const v1 = v1HashOf(digest);
  if (v1 !== null) return { kind, hash: v1 };
  throw new InvalidMagnetError(
    `xt=urn:btih: info-hash must be 40 hex or 32 base32 characters (A-Z, 2-7), got ${describeDigest(digest)}`,
  );
}

function describeDigest(digest: string): string {
  if (digest.length === 0) return 'nothing';
  const kind = /^[0-9a-f]+$/i.test(digest) ? ' hex' : '';
  return `${digest.length}${kind} character${digest.length === 1 ? '' : 's'}`;
}
