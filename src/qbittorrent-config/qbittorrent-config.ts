import { randomBytes } from 'node:crypto';
import { chown, link, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONTROL_CHARACTER } from '../common/text.js';
import { QbittorrentConfigError } from './qbittorrent-config.errors.js';
import { type IniSections, toIni, webuiPasswordHash } from './qbittorrent-ini.mjs';

/**
 * qBittorrent settings written before its first start, beside the WebUI credentials.
 *
 * Queueing stays on (qBittorrent's default), but torrents that move no data stop counting against
 * the active limits after 20 minutes: otherwise dead torrents keep every `MaxActiveDownloads` slot
 * and new episodes wait for ever (what stalled the rust-bangumi deployment's queue).
 */
export const FIRST_START_SETTINGS: IniSections = {
  BitTorrent: {
    'Session\\IgnoreSlowTorrentsForQueueing': 'true',
    'Session\\SlowTorrentsInactivityTimer': '1200',
  },
  // Without it qBittorrent 4.x waits at its legal notice, and 5.x exits, when started unattended.
  LegalNotice: { Accepted: 'true' },
};

/** The rules qBittorrent's own WebUI settings apply to new credentials. */
const MIN_PASSWORD_LENGTH = 6;
const USERNAME = /^[A-Za-z0-9._@+-]{3,64}$/;

export interface WebuiCredentials {
  username: string;
  password: string;
}

/** Refuses credentials qBittorrent would refuse, or that cannot be stored on one INI line. */
export function checkCredentials({
  username,
  password,
}: Partial<WebuiCredentials>): WebuiCredentials {
  if (!username || !USERNAME.test(username)) {
    throw new QbittorrentConfigError(
      'QBITTORRENT_USER must be 3 to 64 letters, digits or . _ @ + -',
    );
  }
  if (!password || password.length < MIN_PASSWORD_LENGTH) {
    throw new QbittorrentConfigError(
      `QBITTORRENT_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters (qBittorrent refuses shorter ones)`,
    );
  }
  return { username, password };
}

/** What a first start may set besides the credentials. */
export interface FirstStartOptions {
  /**
   * qBittorrent's default save path (QBITTORRENT_SAVE_PATH): with several qBittorrents, one folder
   * of its own each, so that the paths they report are told apart (deploy/README.md).
   */
  savePath?: string;
}

/** The whole qBittorrent.conf of a first start: the credentials and FIRST_START_SETTINGS. */
export function firstStartConfig(
  credentials: WebuiCredentials,
  { savePath }: FirstStartOptions = {},
): string {
  const { username, password } = checkCredentials(credentials);
  if (savePath !== undefined && (!savePath.startsWith('/') || CONTROL_CHARACTER.test(savePath))) {
    throw new QbittorrentConfigError(
      'QBITTORRENT_SAVE_PATH must be an absolute path without control characters',
    );
  }
  return toIni({
    ...FIRST_START_SETTINGS,
    BitTorrent: {
      ...FIRST_START_SETTINGS.BitTorrent,
      ...(savePath !== undefined && { 'Session\\DefaultSavePath': savePath }),
    },
    Preferences: {
      // 4.2 reads "ignore slow torrents" here (and the timer under BitTorrent, as later versions).
      'Queueing\\IgnoreSlowTorrents': 'true',
      'WebUI\\Username': username,
      'WebUI\\Password_PBKDF2': webuiPasswordHash(password),
      // 4.x reads the default save path here.
      ...(savePath !== undefined && { 'Downloads\\SavePath': savePath }),
    },
  });
}

/**
 * Writes `file` (a qBittorrent.conf, mode 600, owned by `owner` if given) for qBittorrent's first
 * start, unless it exists: from then on
 * the file is qBittorrent's runtime state, and the user's changes in the WebUI live there. The file
 * appears whole or not at all, and never over one that appeared meanwhile.
 */
export async function writeFirstStartConfig(
  file: string,
  credentials: Partial<WebuiCredentials>,
  owner?: { uid: number; gid: number },
  options: FirstStartOptions = {},
): Promise<'written' | 'kept'> {
  const content = firstStartConfig(checkCredentials(credentials), options);
  if (await exists(file)) return 'kept';
  const folder = dirname(file);
  const partial = join(
    folder,
    `.qBittorrent.conf.${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(partial, content, { mode: 0o600, flag: 'wx' });
    // An init container runs as root; qBittorrent (PUID/PGID in the linuxserver image) must own it.
    if (owner) {
      await chown(folder, owner.uid, owner.gid);
      await chown(partial, owner.uid, owner.gid);
    }
    await link(partial, file); // fails if the file exists: never overwrites
    return 'written';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await exists(file))) return 'kept';
    throw new QbittorrentConfigError(`cannot write ${file}: ${(error as Error).message}`);
  } finally {
    await unlink(partial).catch(() => undefined);
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
