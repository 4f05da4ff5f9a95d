import { type MagnetLink, parseMagnet, unsafeLinkText } from '../qbittorrent/magnet.js';
import { describeTorrentUrl } from '../torrent-file/torrent-fetcher.js';
import type { HasHttpStatus } from '../common/http-status.js';

/** What a caller can ask us to download, read once where the request comes in. */
export type DownloadLink =
  | ({ kind: 'magnet' } & MagnetLink)
  | {
      kind: 'torrent-url';
      url: URL;
      /** The URL without its query string: safe to log and to answer with. */
      location: string;
    };

export const UNSUPPORTED_LINK =
  'Only magnet links and http(s) links to .torrent files are supported';

/** Why a link is not one we can download; the message says it precisely. */
export class InvalidLinkError extends Error implements HasHttpStatus {
  readonly httpStatus = 400;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidLinkError';
  }
}

/**
 * A magnet link (its torrent id known at once), or an http(s) URL of a .torrent file (fetched
 * later; its content decides whether it is one). Throws InvalidLinkError or InvalidMagnetError.
 */
export function parseDownloadLink(text: string): DownloadLink {
  const unsafe = unsafeLinkText(text);
  if (unsafe !== null) throw new InvalidLinkError(unsafe);
  if (/^magnet:/i.test(text)) return { kind: 'magnet', ...parseMagnet(text) };
  if (!/^https?:\/\//i.test(text)) throw new InvalidLinkError(UNSUPPORTED_LINK);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidLinkError('url is not a valid http(s) URL');
  }
  if (url.username !== '' || url.password !== '') {
    // They would end up in logs and error messages; trackers put passkeys in the query instead.
    throw new InvalidLinkError('url must not carry a user name or password');
  }
  return { kind: 'torrent-url', url, location: describeTorrentUrl(url) };
}
