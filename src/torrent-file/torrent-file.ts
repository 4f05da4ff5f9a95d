import { createHash } from 'node:crypto';
import bencode from 'bencode';
import type { TorrentIdentity } from '../qbittorrent/identity/info-hash.js';
import { InvalidTorrentFileError } from './torrent-file.errors.js';

/** A .torrent file we can hand to qBittorrent, with the id qBittorrent will give its torrent. */
export interface TorrentMetainfo extends TorrentIdentity {
  /** The torrent id qBittorrent on libtorrent 2 uses: 40 lowercase hex characters. */
  hash: string;
  /** The torrent's name, from its info dictionary. */
  name: string;
  /** The file as fetched, sent to qBittorrent unchanged. */
  bytes: Buffer;
  /** Bytes of its content: what it will take on disk. */
  size: number;
}

type Bencoded = number | Uint8Array | Bencoded[] | { [key: string]: Bencoded };

/**
 * Reads a .torrent file and computes the torrent id as qBittorrent (libtorrent 2) does: the
 * SHA-1 of the bencoded `info` dictionary for a v1 torrent; for a torrent with a v2 hash (v2-only
 * or hybrid) the SHA-256 of that dictionary, truncated to 40 hex characters.
 * The file must be canonically bencoded (sorted keys, no trailing bytes), as every torrent tool
 * writes it: then the re-encoded `info` dictionary is byte for byte the one qBittorrent hashes.
 */
export function parseTorrentFile(bytes: Buffer): TorrentMetainfo {
  if (bytes.length === 0) throw new InvalidTorrentFileError('the file is empty');
  const first = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (first.startsWith('<')) {
    throw new InvalidTorrentFileError('the file is an HTML or XML page, not a .torrent file');
  }
  if (first[0] !== 'd') {
    throw new InvalidTorrentFileError(
      'the file is not a .torrent file (not a bencoded dictionary)',
    );
  }
  let decoded: Bencoded;
  try {
    decoded = bencode.decode(bytes) as Bencoded;
  } catch {
    throw new InvalidTorrentFileError('the file is not a .torrent file (malformed bencoding)');
  }
  if (!Buffer.from(bencode.encode(decoded)).equals(bytes)) {
    throw new InvalidTorrentFileError(
      'the file is not canonically bencoded (truncated, trailing bytes, unsorted keys or malformed numbers)',
    );
  }
  const info = isDictionary(decoded) ? decoded.info : undefined;
  if (!isDictionary(info)) {
    throw new InvalidTorrentFileError('the file has no info dictionary');
  }
  const name = info.name;
  if (!(name instanceof Uint8Array) || name.length === 0) {
    throw new InvalidTorrentFileError('the info dictionary has no name');
  }
  const pieceLength = info['piece length'];
  if (typeof pieceLength !== 'number' || pieceLength <= 0) {
    throw new InvalidTorrentFileError('the info dictionary has no valid piece length');
  }
  const v1 = info.pieces instanceof Uint8Array;
  if (v1 && ((info.pieces as Uint8Array).length === 0 || (info.pieces as Uint8Array).length % 20)) {
    throw new InvalidTorrentFileError('the info dictionary has malformed pieces');
  }
  const v2 = info['meta version'] === 2 && isDictionary(info['file tree']);
  if (!v1 && !v2) {
    throw new InvalidTorrentFileError(
      'the info dictionary has neither v1 pieces nor a v2 file tree',
    );
  }
  if (v1 && typeof info.length !== 'number' && !Array.isArray(info.files)) {
    throw new InvalidTorrentFileError('the info dictionary lists no files');
  }

  const encodedInfo = bencode.encode(info);
  const v1Hash = v1 ? createHash('sha1').update(encodedInfo).digest('hex') : null;
  const hash = v2
    ? createHash('sha256').update(encodedInfo).digest('hex').slice(0, 40)
    : (v1Hash as string);
  return {
    hash,
    v1Hash,
    v2,
    name: Buffer.from(name).toString('utf8'),
    bytes,
    size: contentSize(info),
  };
}

function isDictionary(value: Bencoded | undefined): value is { [key: string]: Bencoded } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !Array.isArray(value)
  );
}

/** The bytes of a torrent's content: its v1 file lengths, else the lengths in its v2 file tree. */
function contentSize(info: { [key: string]: Bencoded }): number {
  if (typeof info.length === 'number') return info.length;
  if (Array.isArray(info.files)) {
    return info.files.reduce<number>((total, file) => {
      const length = isDictionary(file) ? file.length : undefined;
      return total + (typeof length === 'number' ? length : 0);
    }, 0);
  }
  return treeSize(info['file tree']);
}

function treeSize(node: Bencoded | undefined): number {
  if (!isDictionary(node)) return 0;
  let total = 0;
  for (const [key, child] of Object.entries(node)) {
    if (key === '' && isDictionary(child) && typeof child.length === 'number')
      total += child.length;
    else total += treeSize(child);
  }
  return total;
}
