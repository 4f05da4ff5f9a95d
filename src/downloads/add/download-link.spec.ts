import { describe, expect, it } from '@jest/globals';
import { InvalidMagnetError } from '../../qbittorrent/identity/identity.errors.js';
import { parseDownloadLink } from './download-link.js';
import { InvalidLinkError, UNSUPPORTED_LINK } from '../downloads.errors.js';

describe(parseDownloadLink.name, () => {
  it('reads a magnet link with its torrent id', () => {
    const link = parseDownloadLink(`magnet:?xt=urn:btih:${'A'.repeat(40)}&dn=x`);
    expect(link).toMatchObject({ kind: 'magnet', hash: 'a'.repeat(40) });
  });

  it('reads an http(s) URL as a .torrent to fetch, keeping the query out of its description', () => {
    const link = parseDownloadLink(
      'https://mikanani.me/Download/20260101/abc.torrent?passkey=s3cret',
    );
    expect(link.kind).toBe('torrent-url');
    if (link.kind !== 'torrent-url') return;
    expect(link.url.href).toBe('https://mikanani.me/Download/20260101/abc.torrent?passkey=s3cret');
    expect(link.location).toBe('https://mikanani.me/Download/20260101/abc.torrent');
  });

  it.each([
    ['ftp://host/a.torrent', UNSUPPORTED_LINK],
    ['file:///etc/passwd', UNSUPPORTED_LINK],
    ['javascript:alert(1)', UNSUPPORTED_LINK],
    ['https://user:pw@host/a.torrent', 'user name or password'],
    ['http://', 'not a valid http(s) URL'],
    ['https://host/a.torrent\nhttp://other/b.torrent', 'control character U+000A'],
    [`https://host/${'a'.repeat(9000)}.torrent`, 'at most 8192'],
  ])('refuses %j', (url, reason) => {
    expect(() => parseDownloadLink(url)).toThrow(InvalidLinkError);
    expect(() => parseDownloadLink(url)).toThrow(reason);
  });

  it("refuses a malformed magnet link with the magnet parser's reason", () => {
    expect(() => parseDownloadLink('magnet:?xt=urn:btih:1234')).toThrow(InvalidMagnetError);
  });
});
