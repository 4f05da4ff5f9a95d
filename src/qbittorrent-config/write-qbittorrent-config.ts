// `node dist/qbittorrent-config/write-qbittorrent-config.js [FILE]`: writes qBittorrent's config
// for its first start (WebUI user and password from QBITTORRENT_USER and QBITTORRENT_PASSWORD, the
// same variables the service reads, and the queueing settings of FIRST_START_SETTINGS), unless the
// file exists. With PUID (and PGID) set, as for the linuxserver image, the file is theirs; with
// QBITTORRENT_SAVE_PATH, that is qBittorrent's default save path. FILE defaults to
// /config/qBittorrent/qBittorrent.conf, where the linuxserver image keeps it; for
// `qbittorrent-nox --profile=DIR` it is DIR/qBittorrent/config/qBittorrent.conf.
// A plain script, not the Nest application: it runs as a one-shot init container.
import { QbittorrentConfigError } from './qbittorrent-config.errors.js';
import { writeFirstStartConfig } from './qbittorrent-config.js';

const DEFAULT_FILE = '/config/qBittorrent/qBittorrent.conf';

const file = process.argv[2] || process.env.QBITTORRENT_CONFIG_FILE || DEFAULT_FILE;
const { PUID, PGID } = process.env;
try {
  if ((PUID && !/^\d+$/.test(PUID)) || (PGID && !/^\d+$/.test(PGID))) {
    throw new QbittorrentConfigError('PUID and PGID must be numbers (user and group ids)');
  }
  const outcome = await writeFirstStartConfig(
    file,
    {
      username: process.env.QBITTORRENT_USER || 'admin',
      password: process.env.QBITTORRENT_PASSWORD,
    },
    PUID ? { uid: Number(PUID), gid: Number(PGID || PUID) } : undefined,
    { savePath: process.env.QBITTORRENT_SAVE_PATH || undefined },
  );
  process.stdout.write(
    outcome === 'written'
      ? `wrote ${file}: WebUI credentials and queueing settings for qBittorrent's first start\n`
      : `${file} exists: left as it is (qBittorrent owns it after its first start)\n`,
  );
} catch (error) {
  const message = error instanceof QbittorrentConfigError ? error.message : String(error);
  process.stderr.write(`write-qbittorrent-config: ${message}\n`);
  process.exit(1);
}
