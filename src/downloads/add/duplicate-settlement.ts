import { Injectable } from '@nestjs/common';
import { splitList } from '../../common/text.js';
import { type Copy, isFresh, keeperOf } from '../../qbittorrent/pool/ownership.js';
import { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { linkIdFromTags, linkTag } from '../link-tag.js';
import { TorrentRepository } from '../torrents/torrent.repository.js';
import type { Confirmed } from './add-item.js';

/**
 * The third stage of an add, among several qBittorrents: a new torrent that another instance
 * holds too (two replicas of the service added the same link at the same moment, each where its own
 * view placed it; or another client did) ends up held once.
 *
 * Why once, whatever the timing: each replica looks at the other instances only after its own copy
 * is listed, and a listed torrent stays listed until someone removes it. Of two replicas that each
 * added a copy, the one whose look came later therefore sees the other's copy. Whoever sees copies
 * on several instances keeps the one ownership.ts ranks first, which every replica ranks the same,
 * and removes the others that have nothing downloaded (their files kept), wherever they are; their
 * link tags go with the one that stays, and the add is answered from it.
 */
@Injectable()
export class DuplicateSettlement {
  constructor(
    private readonly torrents: TorrentRepository,
    private readonly pool: QbittorrentPool,
  ) {}

  async settle(
    confirmed: Confirmed,
    linkId: number | undefined,
    signal?: AbortSignal,
  ): Promise<Confirmed> {
    const { label, hash } = confirmed;
    const others = confirmed.alreadyPresent ? [] : this.pool.othersThan(label);
    if (others.length === 0) return confirmed;
    const copies = (await Promise.all(others.map((other) => this.copiesOn(other, [hash])))).flat();
    if (copies.length === 0) return confirmed;
    const all = [...(await this.copiesOn(label, [hash])), ...copies];
    const tags = linkId === undefined ? [] : [linkTag(linkId)];
    const keeper = await this.keepOne(hash, all, tags, signal);
    return keeper === label ? confirmed : { ...confirmed, label: keeper, alreadyPresent: true };
  }

  /**
   * The same rule for torrents `label` lists that another instance holds too, found after the
   * fact (DuplicateSweep): each instance up is looked at once for all of them.
   */
  async settleShared(label: string, hashes: string[]): Promise<void> {
    const labels = [label, ...this.pool.othersThan(label)];
    const byHash = new Map<string, Copy[]>();
    for (const copy of (
      await Promise.all(labels.map((one) => this.copiesOn(one, hashes)))
    ).flat()) {
      const copies = byHash.get(copy.torrent.hash);
      if (copies === undefined) byHash.set(copy.torrent.hash, [copy]);
      else copies.push(copy);
    }
    for (const [hash, copies] of byHash) {
      if (copies.length > 1) await this.keepOne(hash, copies, []);
    }
  }

  /** Removes the fresh copies but the keeper's, whose link tags it takes; answers the keeper. */
  private async keepOne(
    hash: string,
    all: Copy[],
    linkTags: string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const keeper = keeperOf(hash, all);
    const tags = new Set<string>(linkTags);
    for (const copy of all) {
      if (copy.label === keeper || !isFresh(copy.torrent)) continue;
      for (const tag of splitList(copy.torrent.tags)) {
        if (linkIdFromTags([tag]) !== null) tags.add(tag);
      }
      await this.torrents
        .remove(copy.label, [hash], `removing the second copy of ${hash}`, 'delete')
        .catch(() => undefined);
    }
    if (tags.size > 0) {
      await this.torrents.addTags(keeper, hash, [...tags], signal).catch(() => undefined);
    }
    return keeper;
  }

  /** The copies of these torrents `label` lists; none when it cannot be asked. */
  private async copiesOn(label: string, hashes: string[]): Promise<Copy[]> {
    const listed = await this.torrents.lookAt(label, hashes).catch(() => []);
    return listed.map((torrent) => ({ label, torrent }));
  }
}
