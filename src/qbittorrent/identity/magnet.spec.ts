import { describe, expect, it } from '@jest/globals';
import { MAX_MAGNET_BYTES, parseMagnet } from './magnet.js';
import { InvalidMagnetError } from './identity.errors.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
// The same 20 bytes in RFC 4648 base32 (computed with Python's base64.b32encode).
const BASE32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK';
const SHA256 = '0d5f6a3e1b7c9d2e4f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e';
const SHA256_B = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';

describe(parseMagnet.name, () => {
  describe('torrent id', () => {
    it.each([
      ['40 hex, lowercase', `magnet:?xt=urn:btih:${HEX}`, HEX],
      ['40 hex, uppercase', `magnet:?xt=urn:btih:${HEX.toUpperCase()}`, HEX],
      ['32 base32, uppercase', `magnet:?xt=urn:btih:${BASE32}`, HEX],
      ['32 base32, lowercase', `magnet:?xt=urn:btih:${BASE32.toLowerCase()}`, HEX],
      [
        'v2 only: first 40 hex of the SHA-256',
        `magnet:?xt=urn:btmh:1220${SHA256}`,
        SHA256.slice(0, 40),
      ],
      [
        'hybrid: the v2 hash wins, as in qBittorrent',
        `magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${SHA256}`,
        SHA256.slice(0, 40),
      ],
      ['dn before xt', `magnet:?dn=Some%20Show%20-%2001&xt=urn:btih:${HEX}`, HEX],
      [
        'extra parameters',
        `magnet:?xt=urn:btih:${HEX}&dn=x&tr=http%3A%2F%2F127.0.0.1%3A1%2Fa&ws=x`,
        HEX,
      ],
      ['numbered xt.1', `magnet:?xt.1=urn:btih:${HEX}`, HEX],
      ['percent-encoded xt value', `magnet:?xt=urn%3Abtih%3A${HEX}`, HEX],
      ['upper-case URN prefix', `magnet:?xt=URN:BTIH:${HEX}`, HEX],
      ['upper-case scheme', `MAGNET:?xt=urn:btih:${HEX}`, HEX],
      ['the same hash twice', `magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${BASE32}`, HEX],
      ['non-ASCII display name', `magnet:?xt=urn:btih:${HEX}&dn=進撃の巨人`, HEX],
    ])('%s', (_name, url, hash) => {
      expect(parseMagnet(url).hash).toBe(hash);
    });
  });

  describe('link sent to qBittorrent', () => {
    it('keeps every parameter but xt exactly as given', () => {
      const url = `magnet:?dn=A%20B&xt=urn:btih:${HEX}&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce`;
      expect(parseMagnet(url).url).toBe(url);
    });

    it('rewrites xt values qBittorrent would refuse into their canonical form', () => {
      const url = `MAGNET:?XT=URN:BTIH:${HEX.toUpperCase()}&dn=x`;
      expect(parseMagnet(url).url).toBe(`magnet:?xt=urn:btih:${HEX}&dn=x`);
    });

    it('sends a base32 hash as hex and a v2 hash in lowercase', () => {
      const url = `magnet:?xt=urn:btih:${BASE32}&xt=urn:btmh:1220${SHA256.toUpperCase()}`;
      expect(parseMagnet(url).url).toBe(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${SHA256}`);
    });
  });

  describe('refusals', () => {
    it.each([
      ['http URL', 'http://example.com/a.torrent', 'Only magnet links supported'],
      ['file URL', 'file:///etc/passwd', 'Only magnet links supported'],
      ['javascript URL', 'javascript:alert(1)', 'Only magnet links supported'],
      ['empty string', '', 'Only magnet links supported'],
      ['magnet without query', 'magnet:xt=urn:btih:' + HEX, 'Only magnet links supported'],
      ['no xt', 'magnet:?dn=nothing', 'has no info-hash'],
      [
        'xt that is not BitTorrent',
        'magnet:?xt=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C',
        'has no info-hash',
      ],
      [
        "32 hex characters (the Rust service README's example)",
        'magnet:?xt=urn:btih:1234567890abcdef1234567890abcdef',
        'got 32 hex characters',
      ],
      ['39 hex characters', `magnet:?xt=urn:btih:${HEX.slice(1)}`, 'got 39 hex characters'],
      ['41 hex characters', `magnet:?xt=urn:btih:${HEX}0`, 'got 41 hex characters'],
      ['bad charset', `magnet:?xt=urn:btih:${HEX.slice(1)}g`, 'got 40 characters'],
      ['empty hash', 'magnet:?xt=urn:btih:', 'got nothing'],
      [
        'base32 with a digit outside 2-7',
        `magnet:?xt=urn:btih:${BASE32.slice(1)}1`,
        'must be 40 hex or 32 base32',
      ],
      [
        'btmh that is not SHA-256',
        `magnet:?xt=urn:btmh:1320${SHA256}`,
        'must be a SHA-256 multihash',
      ],
      [
        'btmh too short',
        `magnet:?xt=urn:btmh:1220${SHA256.slice(2)}`,
        'must be a SHA-256 multihash',
      ],
      [
        'two different v1 hashes',
        `magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${'0'.repeat(40)}`,
        'more than one torrent',
      ],
      [
        'two different v2 hashes',
        `magnet:?xt=urn:btmh:1220${SHA256}&xt=urn:btmh:1220${SHA256_B}`,
        'more than one torrent',
      ],
      ['broken percent-encoding in xt', 'magnet:?xt=urn%3btih%ZZ', 'malformed percent-encoding'],
    ])('%s', (_name, url, message) => {
      expect(() => parseMagnet(url)).toThrow(InvalidMagnetError);
      expect(() => parseMagnet(url)).toThrow(message);
    });

    it.each([
      ['LF', '\n'],
      ['CR', '\r'],
      ['tab', '\t'],
      ['NUL', '\u0000'],
      ['DEL', '\u007f'],
      ['C1 next line', '\u0085'],
      ['line separator', '\u2028'],
    ])('a %s anywhere in the link', (_name, character) => {
      const url = `magnet:?xt=urn:btih:${HEX}&dn=a${character}magnet:?xt=urn:btih:${'1'.repeat(40)}`;
      const code = character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      expect(() => parseMagnet(url)).toThrow(
        `control character U+${code} at position ${url.indexOf(character)}`,
      );
    });

    it(`a link over ${MAX_MAGNET_BYTES} bytes, counted in UTF-8`, () => {
      const head = `magnet:?xt=urn:btih:${HEX}&dn=`;
      const fits = head + 'a'.repeat(MAX_MAGNET_BYTES - head.length);
      expect(parseMagnet(fits).hash).toBe(HEX);
      // 3 bytes each in UTF-8: under the limit in characters, over it in bytes.
      const tooLong = head + '巨'.repeat(Math.ceil((MAX_MAGNET_BYTES - head.length) / 3) + 1);
      expect(tooLong.length).toBeLessThan(MAX_MAGNET_BYTES);
      expect(() => parseMagnet(tooLong)).toThrow(/bytes long; at most 8192/);
    });
  });
});
