import type { TorrentInfo } from '../wire/qbittorrent.types.js';
import { score } from './placement.js';

/** A copy of a torrent on one instance, as that instance lists it. */
export interface Copy {
  label: string;
  torrent: TorrentInfo;
}

/** Whether `a` is further along than `b`: more of it downloaded. */
export function furtherAlong(a: TorrentInfo, b: TorrentInfo): boolean {
  return a.progress !== b.progress ? a.progress > b.progress : a.completed > b.completed;
}

/**
 * Which of the copies of a torrent stays, as every replica of the service decides it from what it
 * sees: the one further along; among copies equally far (fresh ones: nothing downloaded), the one
 * rendezvous hashing ranks first. Progress only grows, and the ranking is the same everywhere, so
 * two replicas that see the same copies keep the same one, and the copy that ranks first among all
 * is never given up by anyone who sees it.
 */
export function keeperOf(hash: string, copies: readonly Copy[]): string {
  let keeper = copies[0];
  for (const copy of copies.slice(1)) {
    if (furtherAlong(copy.torrent, keeper.torrent)) keeper = copy;
    else if (!furtherAlong(keeper.torrent, copy.torrent) && ranksFirst(hash, copy, keeper)) {
      keeper = copy;
    }
  }
  return keeper.label;
}

/** Whether rendezvous hashing ranks `a` before `b` for the torrent (its address breaks a tie). */
function ranksFirst(hash: string, a: Copy, b: Copy): boolean {
  const [scoreA, scoreB] = [score(a.label, hash), score(b.label, hash)];
  return scoreA !== scoreB ? scoreA > scoreB : a.label < b.label;
}

/** A copy with nothing downloaded yet: removing it (its files kept) loses nothing. */
export function isFresh(torrent: TorrentInfo): boolean {
  return torrent.progress === 0 && (torrent.completed ?? 0) === 0;
}
