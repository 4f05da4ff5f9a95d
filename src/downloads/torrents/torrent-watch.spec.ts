import { describe, expect, it, jest } from '@jest/globals';
import { listedTorrent } from './testing/torrents.builders.js';
import { COALESCE_MS, LISTING_WAITS_MS, TorrentWatch } from './torrent-watch.js';

const torrent = (hash: string, state = 'metaDL') => listedTorrent(hash, { state });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A qBittorrent list whose torrents appear at given times (ms from now). */
function listing(appearAfterMs: Record<string, number>) {
  const started = Date.now();
  const calls: string[][] = [];
  const list = jest.fn(async (hashes: string[]) => {
    calls.push(hashes);
    await Promise.resolve();
    return hashes
      .filter((hash) => Date.now() - started >= (appearAfterMs[hash] ?? Infinity))
      .map((hash) => torrent(hash));
  });
  return { list, calls };
}

describe(TorrentWatch.name, () => {
  it('answers everyone waiting at the same moment with one list call', async () => {
    const { list, calls } = listing({ a: 0, b: 0, c: 0 });
    const sut = new TorrentWatch(list);
    const found = await Promise.all([sut.listed(['a']), sut.listed(['b']), sut.listed(['c'])]);
    expect(found).toEqual([new Set(['a']), new Set(['b']), new Set(['c'])]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(sut.size).toBe(0);
  });

  it('looks again with growing waits until a late torrent is listed', async () => {
    const { list, calls } = listing({ a: 60 });
    const started = Date.now();
    expect(await new TorrentWatch(list).listed(['a'])).toEqual(new Set(['a']));
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    // 2, 5, 10, 20, 40 ms... : a handful of looks, not one every few milliseconds.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(8);
  });

  it('gives up after its last wait (about 1 s), with what was listed', async () => {
    const { list, calls } = listing({ a: 0 });
    const started = Date.now();
    expect(await new TorrentWatch(list).listed(['a', 'never'])).toEqual(new Set(['a']));
    const total = LISTING_WAITS_MS.reduce((sum, wait) => sum + wait, 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(total);
    expect(calls).toHaveLength(LISTING_WAITS_MS.length + 1);
    expect(calls.at(-1)).toEqual(['never']); // a found torrent is not asked for again
  });

  it('ends a watcher looked at early as soon as its torrents are as wanted', async () => {
    const { list, calls } = listing({ slow: 30, quick: 0 });
    const sut = new TorrentWatch(list);
    const slow = sut.listed(['slow']);
    await sleep(15);
    // The look for `quick` includes `slow`, whose own next look is not due yet.
    await expect(sut.listed(['quick'])).resolves.toEqual(new Set(['quick']));
    await expect(slow).resolves.toEqual(new Set(['slow']));
    expect(calls.some((hashes) => hashes.includes('quick') && hashes.includes('slow'))).toBe(true);
  });

  it('settles on a condition, answering the last look at each torrent', async () => {
    let state = 'downloading';
    setTimeout(() => (state = 'pausedDL'), 30);
    const sut = new TorrentWatch((hashes) =>
      Promise.resolve(hashes.map((hash) => torrent(hash, state))),
    );
    const seen = await sut.until(['a'], (listed) => listed?.state === 'pausedDL', [10, 20, 40]);
    expect(seen.get('a')?.state).toBe('pausedDL');
    const unchanged = await sut.until(['a'], (listed) => listed?.state === 'stoppedDL', [5]);
    expect(unchanged.get('a')?.state).toBe('pausedDL');
  });

  it('fails every watcher of a look whose list call fails', async () => {
    const sut = new TorrentWatch(() => Promise.reject(new Error('qBittorrent is down')));
    const results = await Promise.allSettled([sut.listed(['a']), sut.listed(['b'])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(sut.size).toBe(0);
  });

  it('waits up to its cap for adds still arriving, and looks at once when they stop', async () => {
    const { list, calls } = listing({ a: 0, b: 0 });
    let arriving = 1;
    const cap = 2000; // long, so that "at once" stands out on a busy machine
    const sut = new TorrentWatch(list, () => arriving, cap);
    const started = Date.now();
    const a = sut.listed(['a']);
    await sleep(5);
    expect(calls).toHaveLength(0); // waiting for the add still on its way
    arriving = 0;
    const b = sut.listed(['b']);
    await Promise.all([a, b]);
    expect(calls).toEqual([['a', 'b']]);
    expect(Date.now() - started).toBeLessThan(cap / 2);

    arriving = 1; // never stops: the cap holds
    const capped = Date.now();
    await new TorrentWatch(list, () => arriving).listed(['a']);
    expect(Date.now() - capped).toBeGreaterThanOrEqual(COALESCE_MS - 1);
  });

  it('asks nothing for nothing', async () => {
    const { list } = listing({});
    await expect(new TorrentWatch(list).listed([])).resolves.toEqual(new Set());
    expect(list).not.toHaveBeenCalled();
  });
});
