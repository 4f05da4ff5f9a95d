import { describe, expect, it } from '@jest/globals';
import type { TorrentInfo } from '../../qbittorrent/wire/qbittorrent.types.js';
import { notFoundView, toStatusView } from './torrent-status.js';

const NOW = { deadAfterS: 3600, nowS: 2_000_000_000 };

describe(toStatusView.name, () => {
  const torrent: TorrentInfo = {
    hash: 'a'.repeat(40),
    name: 'Show - 01.mkv',
    state: 'downloading',
    progress: 0.25,
    size: 1000,
    total_size: 1000,
    completed: 250,
    downloaded: 260,
    amount_left: 750,
    dlspeed: 100,
    eta: 8,
    save_path: '/downloads',
    content_path: '/downloads/Show - 01.mkv',
    category: 'bangumi',
    tags: 'a, link:42, link:7',
    added_on: 1,
    completion_on: 0,
  };

  it('reports the content bytes we have, the link_id recorded first, and the tags as a list', () => {
    expect(toStatusView(torrent, [], NOW)).toEqual({
      hash: 'a'.repeat(40),
      info_hash: 'a'.repeat(40),
      status: 'downloading',
      state: 'downloading',
      name: 'Show - 01.mkv',
      progress: 0.25,
      size: 1000,
      downloaded: 250,
      dlspeed: 100,
      eta: 8,
      save_path: '/downloads',
      content_path: '/downloads/Show - 01.mkv',
      category: 'bangumi',
      tags: ['a', 'link:42', 'link:7'],
      link_id: 42,
      files: [],
      seeds: 0,
      availability: 0,
      stalled_since: null,
      dead: false,
      reason: null,
    });
  });

  it("answers with the hash as it was asked for, and qBittorrent's id beside it", () => {
    const view = toStatusView(torrent, [], { ...NOW, requested: 'A'.repeat(40) });
    expect(view.hash).toBe('A'.repeat(40));
    expect(view.info_hash).toBe('a'.repeat(40));
  });

  it("turns qBittorrent's 100-day ETA and empty content path into null", () => {
    const view = toStatusView({ ...torrent, eta: 8_640_000, content_path: '', tags: '' }, [], NOW);
    expect(view.eta).toBeNull();
    expect(view.content_path).toBeNull();
    expect(view.tags).toEqual([]);
    expect(view.link_id).toBeNull();
  });

  it('never answers a negative or fractional size, or a progress outside 0 to 1', () => {
    const view = toStatusView(
      { ...torrent, size: -1, completed: -1, progress: Number.NaN },
      [],
      NOW,
    );
    expect(view.size).toBe(0);
    expect(view.downloaded).toBe(0);
    expect(view.progress).toBe(0);
    expect(toStatusView({ ...torrent, progress: 1.0000001 }, [], NOW).progress).toBe(1);
  });

  it.each([
    ['one file', ['Show - 01.mkv'], '/downloads/Show - 01.mkv'],
    ['files in one root folder', ['Show/Show - 01.mkv', 'Show/Subs/01.ass'], '/downloads/Show'],
    ['files without a root folder', ['Show - 01.mkv', 'Show - 01.ass'], '/downloads'],
    ['no files yet (no metadata)', [], null],
  ])(
    'works the content path out from %s where qBittorrent does not report it (before 4.3)',
    (_case, files, contentPath) => {
      const { content_path: _absent, ...older } = torrent;
      expect(toStatusView(older, files, NOW).content_path).toBe(contentPath);
    },
  );

  it('lists each file as an absolute path under the save path (with its root folder)', () => {
    const files = ['Show/Show - 01.mkv', 'Show/Subs/Show - 01.ass'];
    expect(toStatusView({ ...torrent, save_path: '/downloads/' }, files, NOW).files).toEqual([
      '/downloads/Show/Show - 01.mkv',
      '/downloads/Show/Subs/Show - 01.ass',
    ]);
  });
});

describe('dead torrents', () => {
  const stalled: TorrentInfo = {
    ...({} as TorrentInfo),
    hash: 'b'.repeat(40),
    name: 'x',
    state: 'metaDL',
    progress: 0,
    size: 0,
    completed: 0,
    dlspeed: 0,
    eta: 8_640_000,
    save_path: '/downloads',
    content_path: '',
    category: '',
    tags: '',
    added_on: 1000,
    last_activity: 1000,
    num_seeds: 0,
    num_complete: 0,
    availability: 0,
  };
  const at = (nowS: number) => ({ deadAfterS: 3600, nowS });

  it('reports since when a torrent without metadata waits, and dead once DEAD_TORRENT_AFTER_S passed', () => {
    expect(toStatusView(stalled, [], at(1000 + 3599))).toMatchObject({
      stalled_since: new Date(1000 * 1000).toISOString(),
      dead: false,
    });
    expect(toStatusView(stalled, [], at(1000 + 3600)).dead).toBe(true);
  });

  it('counts from the add while nothing came in, though libtorrent 1.2 (4.2.5) says active now', () => {
    const view = toStatusView({ ...stalled, last_activity: 1000 + 3601 }, [], at(1000 + 3600));
    expect(view.stalled_since).toBe(new Date(1000 * 1000).toISOString());
    expect(view.dead).toBe(true);
  });

  it('counts from the last piece that moved, not from the add', () => {
    const view = toStatusView(
      { ...stalled, state: 'stalledDL', last_activity: 5000, downloaded: 100 },
      [],
      at(5000 + 3600),
    );
    expect(view.stalled_since).toBe(new Date(5000 * 1000).toISOString());
    expect(view.dead).toBe(true);
  });

  it.each([
    ['a stalled torrent with seeds in the swarm', { state: 'stalledDL', num_complete: 3 }],
    [
      'a stalled torrent with a complete copy among its peers',
      { state: 'stalledDL', availability: 1.2 },
    ],
    ['a downloading torrent', { state: 'downloading', num_seeds: 0 }],
    ['a paused torrent', { state: 'pausedDL' }],
    ['a completed torrent', { state: 'stalledUP', progress: 1 }],
  ])('is never dead: %s', (_what, fields) => {
    expect(toStatusView({ ...stalled, ...fields }, [], at(1_000_000)).dead).toBe(false);
  });
});

describe(notFoundView.name, () => {
  it('fills every field the core reads with a value of its type', () => {
    expect(notFoundView('x', null, 'not a hash')).toMatchObject({
      hash: 'x',
      dead: false,
      status: 'not_found',
      progress: 0,
      size: 0,
      content_path: null,
      files: [],
      reason: 'not a hash',
    });
  });
});
