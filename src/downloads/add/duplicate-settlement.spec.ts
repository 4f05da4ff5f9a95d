import { beforeEach, describe, expect, it } from '@jest/globals';
import { score } from '../../qbittorrent/pool/placement.js';
import { newQbittorrentPool } from '../../qbittorrent/testing/qbittorrent-instance.builder.js';
import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';
import { listedTorrent, newTorrentRepositoryMock } from '../torrents/testing/torrents.builders.js';
import type { Confirmed } from './add-item.js';
import { DuplicateSettlement } from './duplicate-settlement.js';

const [A, B] = ['10.0.0.1:8080', '10.0.0.2:8080'];
/** Two hashes: one rendezvous hashing ranks A first for, one it ranks B first for. */
const hashes = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(40, '0'));
const A_FIRST = hashes.find((hash) => score(A, hash) > score(B, hash)) as string;
const B_FIRST = hashes.find((hash) => score(B, hash) > score(A, hash)) as string;
const fresh = (hash: string, tags = '') => listedTorrent(hash, { progress: 0, completed: 0, tags });
const ours = (hash: string): Confirmed => ({
  label: A,
  hash,
  alreadyPresent: false,
  listedAt: 1,
});

describe(DuplicateSettlement.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let sut: DuplicateSettlement;
  /** What each instance lists. */
  let listed: Record<string, TorrentInfo[]>;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    listed = { [A]: [], [B]: [] };
    torrents.lookAt.mockImplementation((label) => Promise.resolve(listed[label]));
    sut = new DuplicateSettlement(torrents, newQbittorrentPool([`http://${A}`, `http://${B}`]));
  });

  it('looks at the others and changes nothing when none holds the torrent', async () => {
    listed[A] = [fresh(A_FIRST)];
    await expect(sut.settle(ours(A_FIRST), 1)).resolves.toEqual(ours(A_FIRST));
    expect(torrents.lookAt).toHaveBeenCalledWith(B, [A_FIRST]);
    expect(torrents.remove).not.toHaveBeenCalled();
  });

  it('removes the other copy where ours ranks first, bringing its link tag to ours', async () => {
    listed[A] = [fresh(A_FIRST, 'link:1')];
    listed[B] = [fresh(A_FIRST, 'link:2,other')];
    await expect(sut.settle(ours(A_FIRST), 1)).resolves.toEqual(ours(A_FIRST));
    expect(torrents.remove).toHaveBeenCalledWith(B, [A_FIRST], expect.any(String), 'delete');
    expect(torrents.addTags).toHaveBeenCalledWith(A, A_FIRST, ['link:1', 'link:2'], undefined);
  });

  it('removes ours where the other ranks first, and answers from the other', async () => {
    listed[A] = [fresh(B_FIRST, 'link:1')];
    listed[B] = [fresh(B_FIRST, 'link:2')];
    await expect(sut.settle(ours(B_FIRST), 1)).resolves.toEqual({
      ...ours(B_FIRST),
      label: B,
      alreadyPresent: true,
    });
    expect(torrents.remove).toHaveBeenCalledWith(A, [B_FIRST], expect.any(String), 'delete');
    expect(torrents.addTags).toHaveBeenCalledWith(B, B_FIRST, ['link:1'], undefined);
  });

  it('keeps a copy that has downloaded something, and removes no such copy', async () => {
    listed[A] = [fresh(A_FIRST)];
    listed[B] = [listedTorrent(A_FIRST, { progress: 0.4 })];
    await expect(sut.settle(ours(A_FIRST), 1)).resolves.toMatchObject({ label: B });
    expect(torrents.remove).toHaveBeenCalledWith(A, [A_FIRST], expect.any(String), 'delete');
    expect(torrents.remove).toHaveBeenCalledTimes(1);
  });

  it('leaves a torrent that was there before the add alone', async () => {
    listed[B] = [fresh(A_FIRST)];
    const before = { ...ours(A_FIRST), alreadyPresent: true };
    await expect(sut.settle(before, 1)).resolves.toBe(before);
    expect(torrents.lookAt).not.toHaveBeenCalled();
  });

  it('keeps one copy of each torrent found on two instances after the fact, looking at each instance once', async () => {
    listed[A] = [fresh(A_FIRST), fresh(B_FIRST, 'link:7'), fresh('c'.repeat(40))];
    listed[B] = [fresh(A_FIRST, 'link:8'), fresh(B_FIRST)];
    await sut.settleShared(A, [A_FIRST, B_FIRST, 'c'.repeat(40)]);
    expect(torrents.lookAt).toHaveBeenCalledTimes(2);
    expect(torrents.lookAt).toHaveBeenCalledWith(B, [A_FIRST, B_FIRST, 'c'.repeat(40)]);
    expect(torrents.remove.mock.calls.map(([label, hashes]) => [label, hashes])).toEqual([
      [B, [A_FIRST]],
      [A, [B_FIRST]],
    ]);
    expect(torrents.addTags).toHaveBeenCalledWith(A, A_FIRST, ['link:8'], undefined);
    expect(torrents.addTags).toHaveBeenCalledWith(B, B_FIRST, ['link:7'], undefined);
  });
});
