import { describe, expect, it } from '@jest/globals';
import { versionRisk } from './qbittorrent-settings.js';

describe(versionRisk.name, () => {
  it.each(['v4.2.5', 'v4.5.2', 'v5.3.0', 'v10.0.0'])('names no risk for %s', (version) => {
    expect(versionRisk(version)).toBeNull();
  });

  it.each(['v4.2.4', 'v4.1.9.1', 'v3.3.16'])(
    'names %s, older than the oldest proven',
    (version) => {
      expect(versionRisk(version)).toEqual({
        key: 'old_version',
        setting: `qBittorrent ${version}`,
        risk: expect.stringContaining(
          'older than 4.2.5, the oldest version this service is proven on',
        ),
      });
    },
  );
});
