import { describe, expect, it } from '@jest/globals';
import { startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { FakeQbittorrent, type FakeDialect, DIALECTS } from '../fakes/fake-qbittorrent.js';
import { probeDialect } from '../support/dialect-probes.js';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

describe.each(versionsUnderTest())('the fake qBittorrent %s', (version) => {
  it('answers the dialect probes exactly as the real binary does', async () => {
    expect(DIALECTS).toContain(version);
    const real = await startQbittorrent({ version, password: 'probe-password' });
    let fromReal;
    try {
      fromReal = await probeDialect(real.url, real.username, real.password);
    } finally {
      await real.stop();
    }
    const fake = await FakeQbittorrent.start({
      dialect: version as FakeDialect,
      password: 'probe-password',
    });
    let fromFake;
    try {
      fromFake = await probeDialect(fake.url, 'admin', 'probe-password');
    } finally {
      await fake.stop();
    }

    expect(fromFake).toEqual(fromReal);
  });
});
