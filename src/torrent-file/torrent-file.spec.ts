import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import bencode from 'bencode';
import { makeTorrent } from '../../test/support/torrent-files.js';
import { InvalidTorrentFileError } from './torrent-file.errors.js';
import { parseTorrentFile } from './torrent-file.js';

describe(parseTorrentFile.name, () => {
  it.each(['v1', 'v2', 'hybrid'] as const)(
    'gives a %s torrent the id qBittorrent gives it',
    (version) => {
      const made = makeTorrent({ version, name: 'Show - 01.mkv' });
      const torrent = parseTorrentFile(made.bytes);
      expect(torrent.hash).toBe(made.id);
      expect(torrent.hash).toMatch(/^[0-9a-f]{40}$/);
      expect(torrent.name).toBe('Show - 01.mkv');
      expect(torrent.bytes).toBe(made.bytes);
    },
  );

  it('hashes the info dictionary only: the same content announced elsewhere keeps its id', () => {
    const content = Buffer.alloc(2000, 7);
    const a = makeTorrent({ name: 'a.mkv', content, announce: 'http://127.0.0.1:1/announce' });
    const b = makeTorrent({ name: 'a.mkv', content });
    expect(parseTorrentFile(a.bytes).hash).toBe(parseTorrentFile(b.bytes).hash);
  });

  it('reads a multi-file v1 torrent', () => {
    const info = {
      files: [{ length: 3, path: [Buffer.from('a.mkv')] }],
      name: Buffer.from('Show'),
      'piece length': 16384,
      pieces: createHash('sha1').update('abc').digest(),
    };
    const bytes = Buffer.from(bencode.encode({ info }));
    expect(parseTorrentFile(bytes).hash).toBe(
      createHash('sha1').update(bencode.encode(info)).digest('hex'),
    );
  });

  const valid = makeTorrent().bytes;
  it.each([
    ['an empty file', Buffer.alloc(0), 'the file is empty'],
    ['an HTML page', Buffer.from('  <!DOCTYPE html><html><body>Not found</body></html>'), 'HTML'],
    ['JSON', Buffer.from('{"error":"not found"}'), 'not a bencoded dictionary'],
    ['a truncated file', valid.subarray(0, valid.length - 10), 'bencod'],
    ['trailing bytes', Buffer.concat([valid, Buffer.from('xyz')]), 'canonically'],
    ['a dictionary without info', Buffer.from(bencode.encode({ announce: 'x' })), 'no info'],
    [
      'an info without pieces or file tree',
      Buffer.from(bencode.encode({ info: { name: 'a', 'piece length': 16384, length: 1 } })),
      'neither v1 pieces nor a v2 file tree',
    ],
    [
      'pieces of a wrong length',
      Buffer.from(
        bencode.encode({ info: { name: 'a', 'piece length': 16384, length: 1, pieces: 'abc' } }),
      ),
      'malformed pieces',
    ],
    [
      'unsorted keys',
      Buffer.from(
        'd4:infod4:name1:a12:piece lengthi16384e6:lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
      ),
      'canonically',
    ],
  ])('refuses %s, saying why', (_what, bytes, reason) => {
    expect(() => parseTorrentFile(bytes)).toThrow(InvalidTorrentFileError);
    expect(() => parseTorrentFile(bytes)).toThrow(reason);
  });
});
