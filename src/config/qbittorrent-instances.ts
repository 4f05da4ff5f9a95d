/** A qBittorrent user and password. */
export interface QbittorrentCredentials {
  username: string;
  password: string;
}

/** What one qBittorrent is, for the classes that talk to it: read from the environment once. */
export interface QbittorrentInstanceConfig {
  /** The WebUI base URL, without credentials or a trailing slash. */
  url: string;
  /** `host:port`: how logs, metrics and readiness tell it apart (never with its credentials). */
  label: string;
  /** `null`: none yet (set later over the API), or qBittorrent lets this address in without. */
  credentials: QbittorrentCredentials | null;
  /**
   * Whether it uses QBITTORRENT_USER and QBITTORRENT_PASSWORD (and what POST /config/credentials
   * sets), rather than credentials of its own in its URL.
   */
  sharedCredentials: boolean;
  timeoutMs: number;
  /** After refused credentials, how long to answer from that refusal instead of trying again. */
  loginCooldownMs: number;
  /** Named in QBITTORRENT_DRAIN: it keeps what it holds and takes no new torrent. */
  draining: boolean;
}

/** What every qBittorrent of QBITTORRENT_URL shares unless its URL says otherwise. */
export interface SharedInstanceSettings {
  username: string;
  password: string;
  timeoutMs: number;
  loginCooldownMs: number;
  /** QBITTORRENT_DRAIN (already validated). */
  drain: string;
}

/** The entries of a comma-separated list of URLs. */
export function urlListEntries(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** `host:port` of a WebUI URL, its default port included: what tells instances apart. */
export function instanceLabel(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** The qBittorrents of QBITTORRENT_URL (already validated), in the order given. */
export function qbittorrentInstances(
  urls: string,
  shared: SharedInstanceSettings,
): QbittorrentInstanceConfig[] {
  const draining = new Set(urlListEntries(shared.drain).map((entry) => entry.toLowerCase()));
  return urlListEntries(urls).map((entry) => {
    const config = instanceConfig(entry, shared);
    return { ...config, draining: draining.has(config.label) };
  });
}

/**
 * One qBittorrent of QBITTORRENT_URL: its address without credentials, and its own credentials
 * (`user:password@`, percent-encoded) or the shared QBITTORRENT_USER and QBITTORRENT_PASSWORD.
 */
function instanceConfig(
  entry: string,
  shared: SharedInstanceSettings,
): Omit<QbittorrentInstanceConfig, 'draining'> {
  const url = new URL(entry);
  const own = url.username !== '' || url.password !== '';
  const username = own ? decodeURIComponent(url.username) : shared.username;
  const password = own ? decodeURIComponent(url.password) : shared.password;
  url.username = '';
  url.password = '';
  return {
    url: url.href.replace(/\/+$/, ''),
    label: instanceLabel(url),
    credentials: username === '' || password === '' ? null : { username, password },
    sharedCredentials: !own,
    timeoutMs: shared.timeoutMs,
    loginCooldownMs: shared.loginCooldownMs,
  };
}
