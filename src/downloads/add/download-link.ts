import { type MagnetLink, parseMagnet, unsafeLinkText } from '../../qbittorrent/identity/magnet.js';
import { describeTorrentUrl } from '../../torrent-file/torrent-fetcher.js';
import { InvalidLinkError } from '../downloads.errors.js';

/** What a caller can ask us to download, read once where the request comes in. */
export type DownloadLink =
  | ({ kind: 'magnet' } & MagnetLink)
  | {
      kind: 'torrent-url';
      url: URL;
      /** The URL without its query string: safe to log and to answer with. */
      location: string;
    };

/**
 * A magnet link (its torrent id known at once), or an http(s) URL of a .torrent file (fetched
 * later; its content decides whether it is one). Throws InvalidLinkError or InvalidMagnetError.
 */
export function parseDownloadLink(text: string): DownloadLink {
  const unsafe = unsafeLinkText(text);
  if (unsafe !== null) throw new InvalidLinkError(unsafe);
  if (/^magnet:/i.test(text)) return { kind: 'magnet', ...parseMagnet(text) };
  if (!/^https?:\/\//i.test(text)) throw InvalidLinkError.unsupported();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw InvalidLinkError.notAUrl();
  }
  if (url.username !== '' || url.password !== '') throw InvalidLinkError.withCredentials();
  return { kind: 'torrent-url', url, location: describeTorrentUrl(url) };
}
