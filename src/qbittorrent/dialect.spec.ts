import { describe, expect, it } from '@jest/globals';
import { dialectFor } from './dialect.js';

describe(dialectFor.name, () => {
  it.each([
    ['2.8.19', false], // qBittorrent 4.5.2
    ['2.9.3', false], // 4.6
    ['2.10.4', false],
    ['2.11.0', true], // 5.0
    ['2.11.4', true], // 5.1.0
    ['2.16.2', true], // 5.3.0
    ['3.0', true],
    ['v2.11.2\n', true],
  ])('WebAPI %s uses stop/start: %s', (version, stopStart) => {
    expect(dialectFor(version).stopStart).toBe(stopStart);
  });
});
