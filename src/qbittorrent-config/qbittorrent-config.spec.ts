import { pbkdf2Sync } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { QbittorrentConfigError } from './qbittorrent-config.errors.js';
import { firstStartConfig, writeFirstStartConfig } from './qbittorrent-config.js';
import { mergeIni, parseIni, toIni, webuiPasswordHash } from './qbittorrent-ini.mjs';

const CREDENTIALS = { username: 'bangumi', password: 'a-good-password' };

describe(webuiPasswordHash.name, () => {
  it('is PBKDF2-HMAC-SHA512, 100,000 iterations, 16-byte salt, 64-byte key, as qBittorrent stores it', () => {
    const value = webuiPasswordHash('secret-password');
    const match = /^"@ByteArray\(([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)\)"$/.exec(value);
    expect(match).not.toBeNull();
    const salt = Buffer.from(match![1], 'base64');
    const key = Buffer.from(match![2], 'base64');
    expect(salt).toHaveLength(16);
    expect(key).toEqual(pbkdf2Sync('secret-password', salt, 100_000, 64, 'sha512'));
    expect(webuiPasswordHash('secret-password')).not.toBe(value); // a new salt each time
  });
});

describe('the INI of qBittorrent.conf', () => {
  it('writes sections and reads them back, merging key by key', () => {
    const merged = mergeIni(
      { BitTorrent: { 'Session\\Port': 1, 'Session\\DHTEnabled': false } },
      { BitTorrent: { 'Session\\Port': 2 }, LegalNotice: { Accepted: true } },
    );
    const text = toIni(merged);
    expect(text).toBe(
      '[BitTorrent]\nSession\\Port=2\nSession\\DHTEnabled=false\n\n[LegalNotice]\nAccepted=true\n',
    );
    expect(parseIni(text)).toEqual({
      BitTorrent: { 'Session\\Port': '2', 'Session\\DHTEnabled': 'false' },
      LegalNotice: { Accepted: 'true' },
    });
  });
});

describe(firstStartConfig.name, () => {
  it('holds the credentials, the slow-torrent queueing settings and the accepted legal notice', () => {
    const config = firstStartConfig(CREDENTIALS);
    expect(config).toMatch(
      /^\[Preferences\]\nQueueing\\IgnoreSlowTorrents=true\nWebUI\\Username=bangumi\nWebUI\\Password_PBKDF2="@ByteArray\(/m,
    );
    expect(config).toContain(
      '[BitTorrent]\nSession\\IgnoreSlowTorrentsForQueueing=true\nSession\\SlowTorrentsInactivityTimer=1200\n',
    );
    expect(config).toContain('[LegalNotice]\nAccepted=true\n');
    expect(config).not.toContain(CREDENTIALS.password);
  });

  it("sets qBittorrent's default save path, under the keys of 4.x and 5.x", () => {
    const config = firstStartConfig(CREDENTIALS, { savePath: '/downloads/qbittorrent-1' });
    expect(config).toContain('Session\\DefaultSavePath=/downloads/qbittorrent-1\n');
    expect(config).toContain('Downloads\\SavePath=/downloads/qbittorrent-1\n');
    expect(() => firstStartConfig(CREDENTIALS, { savePath: 'relative' })).toThrow(
      /QBITTORRENT_SAVE_PATH must be an absolute path/,
    );
    expect(() =>
      firstStartConfig(CREDENTIALS, { savePath: '/x\n[Preferences]\nWebUI\\Username=x' }),
    ).toThrow(/without control characters/);
  });

  it.each([
    [
      'an empty password',
      { username: 'admin', password: '' },
      /QBITTORRENT_PASSWORD must be at least 6/,
    ],
    ['a short password', { username: 'admin', password: '12345' }, /at least 6 characters/],
    ['no password', { username: 'admin' }, /QBITTORRENT_PASSWORD/],
    [
      'a username with a line break',
      { username: 'admin\n[Preferences]', password: 'long-enough' },
      /QBITTORRENT_USER/,
    ],
    ['a short username', { username: 'ab', password: 'long-enough' }, /QBITTORRENT_USER/],
  ])('refuses %s', (_case, credentials, message) => {
    expect(() => firstStartConfig(credentials as typeof CREDENTIALS)).toThrow(message);
  });
});

describe(writeFirstStartConfig.name, () => {
  let folder: string;
  let file: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'qbt-config-'));
    file = join(folder, 'qBittorrent', 'qBittorrent.conf');
  });

  afterEach(async () => {
    await chmod(folder, 0o700).catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
  });

  it('writes the file, its folders included, readable by its owner only', async () => {
    expect(await writeFirstStartConfig(file, CREDENTIALS)).toBe('written');
    const written = await readFile(file, 'utf8');
    expect(written).toContain('WebUI\\Username=bangumi');
    expect(await readdir(join(folder, 'qBittorrent'))).toEqual(['qBittorrent.conf']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('changes nothing on a second run', async () => {
    await writeFirstStartConfig(file, CREDENTIALS);
    const first = await readFile(file, 'utf8');
    expect(await writeFirstStartConfig(file, CREDENTIALS)).toBe('kept');
    expect(await readFile(file, 'utf8')).toBe(first);
  });

  it("keeps a user's later change and an existing config, even with other credentials", async () => {
    await writeFirstStartConfig(file, CREDENTIALS);
    const changed = (await readFile(file, 'utf8')).replace(
      'SlowTorrentsInactivityTimer=1200',
      'SlowTorrentsInactivityTimer=600',
    );
    await writeFile(file, changed);
    expect(
      await writeFirstStartConfig(file, { username: 'other', password: 'another-password' }),
    ).toBe('kept');
    expect(await readFile(file, 'utf8')).toBe(changed);
  });

  it('writes nothing for bad credentials, even where no config exists', async () => {
    await expect(
      writeFirstStartConfig(file, { username: 'admin', password: 'short' }),
    ).rejects.toThrow(QbittorrentConfigError);
    expect(await readdir(folder)).toEqual([]);
  });

  it('fails clearly in a folder it cannot write, leaving nothing behind', async () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: a file where the folder should be stands for the unwritable folder.
      await writeFile(join(folder, 'qBittorrent'), 'not a folder');
    } else {
      await chmod(folder, 0o500);
    }
    await expect(writeFirstStartConfig(file, CREDENTIALS)).rejects.toThrow(
      /^cannot write .*qBittorrent\.conf: /,
    );
    await chmod(folder, 0o700);
    expect((await readdir(folder)).filter((name) => name !== 'qBittorrent')).toEqual([]);
  });
});
