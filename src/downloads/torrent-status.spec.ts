import { describe, expect, it } from '@jest/globals';
import type { TorrentInfo } from '../qbittorrent/qbittorrent.types.js';
import { isPausedState, statusOf, toStatusView } from './torrent-status.js';

describe(statusOf.name, () => {
  // Every state string of the WebUI API of qBittorrent 4.x and 5.x.
  it.each([
    ['error', 'error'],
    ['missingFiles', 'error'],
    ['uploading', 'completed'],
    ['stalledUP', 'completed'],
    ['forcedUP', 'completed'],
    ['queuedUP', 'completed'],
    ['pausedUP', 'completed'], // 4.x: finished, then paused
    ['stoppedUP', 'completed'], // 5.x
    ['checkingUP', 'checking'],
    ['checkingDL', 'checking'],
    ['checkingResumeData', 'checking'],
    ['allocating', 'downloading'],
    ['downloading', 'downloading'],
    ['stalledDL', 'downloading'],
    ['forcedDL', 'downloading'],
    ['metaDL', 'metadata'],
    ['forcedMetaDL', 'metadata'],
    ['pausedDL', 'paused'], // 4.x
    ['stoppedDL', 'paused'], // 5.x
    ['queuedDL', 'queued'],
    ['moving', 'moving'],
    ['unknown', 'unknown'],
    ['somethingNew', 'unknown'],
  ])('%s is %s', (state, status) => {
    expect(statusOf(state)).toBe(status);
  });
});

describe(isPausedState.name, () => {
  it.each([
    ['pausedDL', true],
    ['pausedUP', true],
    ['stoppedDL', true],
    ['stoppedUP', true],
    ['metaDL', false],
    ['stalledUP', false],
    ['queuedDL', false],
  ])('%s: %s', (state, paused) => {
    expect(isPausedState(state)).toBe(paused);
  });
});

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
    expect(toStatusView(torrent, null)).toEqual({
      hash: 'a'.repeat(40),
      status: 'downloading',
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
      files: null,
    });
  });

  it("turns qBittorrent's 100-day ETA and empty content path into null", () => {
    const view = toStatusView({ ...torrent, eta: 8_640_000, content_path: '', tags: '' }, null);
    expect(view.eta).toBeNull();
    expect(view.content_path).toBeNull();
    expect(view.tags).toEqual([]);
    expect(view.link_id).toBeNull();
  });

  it('keeps name, size and progress of each file', () => {
    const files = [{ name: 'a.mkv', size: 5, progress: 1, priority: 1, index: 0 }];
    expect(toStatusView(torrent, files).files).toEqual([{ name: 'a.mkv', size: 5, progress: 1 }]);
  });
});
