import { createHash, randomBytes } from 'node:crypto';
import bencode from 'bencode';

/** One 16 KiB block: a v2 file of at most this size has its SHA-256 as its `pieces root`. */
const BLOCK = 16 * 1024;

export interface MadeTorrent {
  bytes: Buffer;
  name: string;
  /** The id qBittorrent gives it: SHA-1 of the info dictionary (v1), else SHA-256 truncated. */
  id: string;
  /** Its v1 id (SHA-1), which libtorrent 1.2 gives it; null for a v2-only one. */
  v1: string | null;
}

export interface TorrentSpec {
  name?: string;
  /** The file's content; random 1 KiB by default. */
  content?: Buffer;
  version?: 'v1' | 'v2' | 'hybrid';
  /** An announce URL (tests name only trackers on 127.0.0.1). */
  announce?: string;
}

/**
 * A single-file .torrent, bencoded canonically, of any BitTorrent version. Written apart from the
 * service's reader (which finds the id another way) so that the two check each other; v2 and
 * hybrid files are kept to one 16 KiB block so that no piece layers are needed.
 */
export function makeTorrent(spec: TorrentSpec = {}): MadeTorrent {
  const name = spec.name ?? `episode-${randomBytes(4).toString('hex')}.mkv`;
  const content = spec.content ?? randomBytes(1024);
  const version = spec.version ?? 'v1';
  const info: Record<string, unknown> = { name, 'piece length': BLOCK };
  if (version !== 'v2') {
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < content.length; offset += BLOCK) {
      pieces.push(
        createHash('sha1')
          .update(content.subarray(offset, offset + BLOCK))
          .digest(),
      );
    }
    info.length = content.length;
    info.pieces = Buffer.concat(pieces);
  }
  if (version !== 'v1') {
    if (content.length > BLOCK) throw new Error('v2 test torrents hold at most one 16 KiB block');
    const root = createHash('sha256').update(content).digest();
    info['meta version'] = 2;
    info['file tree'] = { [name]: { '': { length: content.length, 'pieces root': root } } };
  }
  const torrent: Record<string, unknown> = { info, 'creation date': 1_700_000_000 };
  if (spec.announce !== undefined) torrent.announce = spec.announce;
  const encodedInfo = bencode.encode(info);
  const v1 = version === 'v2' ? null : createHash('sha1').update(encodedInfo).digest('hex');
  const id =
    version === 'v1'
      ? (v1 as string)
      : createHash('sha256').update(encodedInfo).digest('hex').slice(0, 40);
  return { bytes: Buffer.from(bencode.encode(torrent)), name, id, v1 };
}

/**
 * A single-file v1 .torrent whose content would be `size` bytes: pieces of 16 MiB with random
 * hashes, so that no peer can ever serve it and qBittorrent, which writes nothing before a piece
 * arrives, holds it as `size` bytes still to download.
 */
export function torrentOfSize(size: number): MadeTorrent {
  const pieceLength = 16 * 1024 * 1024;
  const name = `season-${randomBytes(4).toString('hex')}.mkv`;
  const info = {
    length: size,
    name,
    'piece length': pieceLength,
    pieces: randomBytes(Math.ceil(size / pieceLength) * 20),
  };
  const id = createHash('sha1').update(bencode.encode(info)).digest('hex');
  return { bytes: Buffer.from(bencode.encode({ info })), name, id, v1: id };
}
