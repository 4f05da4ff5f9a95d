import { describe, expect, it } from '@jest/globals';
import { isPausedState, stateOf, statusOf } from './torrent-state.js';

describe(stateOf.name, () => {
  // Every state string of the WebUI API of qBittorrent 4.x and 5.x, to our state and the core's status.
  it.each([
    ['error', 'error', 'error'],
    ['missingFiles', 'error', 'error'],
    ['uploading', 'completed', 'completed'],
    ['stalledUP', 'completed', 'completed'],
    ['forcedUP', 'completed', 'completed'],
    ['queuedUP', 'completed', 'completed'],
    ['pausedUP', 'completed', 'completed'], // 4.x: finished, then paused
    ['stoppedUP', 'completed', 'completed'], // 5.x
    ['checkingUP', 'checking', 'downloading'],
    ['checkingDL', 'checking', 'downloading'],
    ['checkingResumeData', 'checking', 'downloading'],
    ['allocating', 'downloading', 'downloading'],
    ['downloading', 'downloading', 'downloading'],
    ['stalledDL', 'downloading', 'downloading'],
    ['forcedDL', 'downloading', 'downloading'],
    ['metaDL', 'metadata', 'downloading'],
    ['forcedMetaDL', 'metadata', 'downloading'],
    ['pausedDL', 'paused', 'paused'], // 4.x
    ['stoppedDL', 'paused', 'paused'], // 5.x
    ['queuedDL', 'queued', 'downloading'],
    ['moving', 'moving', 'downloading'],
    ['unknown', 'unknown', 'unknown'],
    ['somethingNew', 'unknown', 'unknown'],
  ])('%s is state %s, status %s', (qbittorrentState, state, status) => {
    expect(stateOf(qbittorrentState)).toBe(state);
    expect(statusOf(stateOf(qbittorrentState))).toBe(status);
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
