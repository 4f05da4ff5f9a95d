import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { logOutput } from '../../scripts/lib/output-log.mjs';
import { startQbittorrent } from '../../scripts/lib/qbittorrent.mjs';
import { versionsUnderTest } from '../support/real-qbittorrent.js';

// The harness that starts real qBittorrents for the other suites: a fault of its own fails them
// for no fault of the service, and what it leaves behind piles up on the machine.

const BYTES_PER_STREAM = 100_000;

describe(logOutput.name, () => {
  // A qBittorrent that is stopped says its last words on both streams as it exits. When stdout
  // ended the shared log, stderr's last chunk came after the end: "write after end", which failed
  // a whole suite of the CI run of 2026-12-02.
  it('keeps the last output of both streams of a process that writes them as it exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'downloader-qbittorrent-output-log-'));
    try {
      const logFile = join(dir, 'stdout.log');
      const runs = 40;
      for (let run = 0; run < runs; run += 1) {
        const child = spawn(
          'sh',
          ['-c', `printf '%0${BYTES_PER_STREAM}d' 0; printf '%0${BYTES_PER_STREAM}d' 0 >&2`],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const sut = logOutput(child, logFile);
        await once(child, 'exit');
        await sut.close(10_000);
      }

      expect((await stat(logFile)).size).toBe(runs * 2 * BYTES_PER_STREAM);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(versionsUnderTest())(`${startQbittorrent.name} %s`, (version) => {
  it('keeps what qBittorrent writes in its profile, and removes the profile on stop', async () => {
    const sut = await startQbittorrent({ version });
    let environment: string;
    try {
      environment = await readFile(`/proc/${sut.pid}/environ`, 'latin1');
    } finally {
      await sut.stop();
    }

    // Qt's lock file goes to TMPDIR and stays there after the exit (4.2.5, 5.x).
    expect(environment.split('\0')).toContain(
      `TMPDIR=${sut.instancePath(join(sut.profileDir, 'tmp'))}`,
    );
    // No shared parent folder that would be left behind, empty.
    expect(dirname(sut.profileDir)).toBe(sut.hostPath(tmpdir()));
    await expect(stat(sut.profileDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
