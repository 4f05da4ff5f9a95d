import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { QbittorrentPool } from '../../qbittorrent/pool/qbittorrent-pool.js';
import type { DuplicateSettlement } from './duplicate-settlement.js';
import { DuplicateSweep } from './duplicate-sweep.js';

describe(DuplicateSweep.name, () => {
  const setUp = (shared: string[]) => {
    let back: (label: string) => void = () => undefined;
    const pool = {
      onBack: jest.fn((listener: (label: string) => void) => void (back = listener)),
      sharedWithOthers: jest.fn((_label: string) => shared),
      nameOf: (label: string) => `qBittorrent at ${label}`,
    };
    const settlement = {
      settleShared: jest.fn((_label: string, _hashes: string[]) => Promise.resolve()),
    };
    const sut = new DuplicateSweep(
      pool as unknown as QbittorrentPool,
      settlement as unknown as DuplicateSettlement,
    );
    sut.onApplicationBootstrap();
    return { back: (label: string) => back(label), pool, settlement };
  };

  it('settles the torrents an instance that comes back shares with another', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { back, pool, settlement } = setUp(['a'.repeat(40)]);
    back('h:1');
    expect(pool.sharedWithOthers).toHaveBeenCalledWith('h:1');
    expect(settlement.settleShared).toHaveBeenCalledWith('h:1', ['a'.repeat(40)]);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/qBittorrent at h:1 is back holding 1/),
    );
    warn.mockRestore();
  });

  it('asks nothing when it shares none', () => {
    const { back, settlement } = setUp([]);
    back('h:1');
    expect(settlement.settleShared).not.toHaveBeenCalled();
  });
});
