import { beforeEach, describe, expect, it } from '@jest/globals';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import { newQbittorrentPool } from '../../qbittorrent/testing/qbittorrent-instance.builder.js';
import { QbittorrentUnavailableError } from '../../qbittorrent/wire/qbittorrent.errors.js';
import { INSTANCE, newTorrentRepositoryMock } from '../torrents/testing/torrents.builders.js';
import type { AddResult } from './add-item.js';
import { PersistenceGuard, SAVE_MARGIN_MS } from './persistence-guard.js';

const hashOf = (n: number) => n.toString(16).padStart(40, '0');
const accepted = (n: number, listedAt: number): AddResult => ({
  url: `magnet:?xt=urn:btih:${hashOf(n)}`,
  linkId: n,
  link: null,
  outcome: { status: 'accepted', hash: hashOf(n), alreadyPresent: false, instance: INSTANCE },
  listedAt,
});

describe(PersistenceGuard.name, () => {
  let torrents: ReturnType<typeof newTorrentRepositoryMock>;
  let pool: QbittorrentPool;
  let sut: PersistenceGuard;

  beforeEach(() => {
    torrents = newTorrentRepositoryMock();
    torrents.listOnce.mockImplementation((_label, hashes) =>
      Promise.resolve(hashes.map((hash) => ({ hash }) as never)),
    );
    pool = newQbittorrentPool([`http://${INSTANCE}`]);
    sut = new PersistenceGuard(torrents, pool);
  });

  it('asks nothing when the instance answered a call made long enough after it listed them', async () => {
    const results = [accepted(1, performance.now() - 5 * SAVE_MARGIN_MS)];
    await pool.callOnce(INSTANCE, () => Promise.resolve());
    await expect(sut.guard(results)).resolves.toEqual(results);
    expect(torrents.listOnce).not.toHaveBeenCalled();
  });

  it('looks once more, after the margin, for those listed just now', async () => {
    const started = performance.now();
    const results = [accepted(1, started), accepted(2, started)];
    await expect(sut.guard(results)).resolves.toEqual(results);
    expect(torrents.listOnce).toHaveBeenCalledTimes(1);
    expect(torrents.listOnce).toHaveBeenCalledWith(INSTANCE, [hashOf(1), hashOf(2)]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(SAVE_MARGIN_MS - 1);
  });

  it('fails, with why, those an instance that stopped answering listed within the margin', async () => {
    const old = performance.now() - 5 * SAVE_MARGIN_MS;
    await pool.callOnce(INSTANCE, () => Promise.resolve()); // proves the old one saved
    const results = [accepted(1, old), accepted(2, performance.now())];
    torrents.listOnce.mockRejectedValue(
      new QbittorrentUnavailableError('http://127.0.0.1:8080', 'ECONNREFUSED'),
    );
    const [saved, unsaved] = await sut.guard(results);
    expect(saved).toBe(results[0]);
    expect(unsaved.outcome).toMatchObject({
      status: 'error',
      hash: hashOf(2),
      httpStatus: 500,
      error: expect.stringMatching(
        /^qBittorrent stopped answering right after it listed torrent 0+2, before it had time to save it \(.*ECONNREFUSED.*\)/,
      ),
    });
  });

  it('takes any answer after the margin as proof, even one that no longer lists a torrent', async () => {
    // Another replica may have kept the torrent on another instance and removed this copy.
    torrents.listOnce.mockResolvedValue([]);
    const results = [accepted(3, performance.now())];
    await expect(sut.guard(results)).resolves.toEqual(results);
  });

  it('leaves failures and torrents held before alone', async () => {
    const held = { ...accepted(4, performance.now()), listedAt: undefined };
    await expect(sut.guard([held])).resolves.toEqual([held]);
    expect(torrents.listOnce).not.toHaveBeenCalled();
  });
});
