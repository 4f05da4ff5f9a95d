/**
 * The link_id of POST /download is kept on the torrent itself, as the tag `link:<id>`: qBittorrent
 * is the only store, so the link survives restarts of this service.
 */
const LINK_TAG = /^link:(\d+)$/;

export function linkTag(linkId: number): string {
  return `link:${linkId}`;
}

/** The link_id recorded first among a torrent's tags, or null. */
export function linkIdFromTags(tags: string[]): number | null {
  for (const tag of tags) {
    const match = LINK_TAG.exec(tag);
    if (match && Number.isSafeInteger(Number(match[1]))) return Number(match[1]);
  }
  return null;
}
