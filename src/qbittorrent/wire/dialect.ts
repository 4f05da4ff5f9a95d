// Every difference between qBittorrent versions this service relies on, as pure functions that
// build requests and read answers: the version table of docs/qbittorrent.md, in one file.
//
// |                      | 4.x (4.5.2)                | 5.0–5.1 (5.1.0)          | 5.2+ (5.3.0)             |
// | login                | 200 `Ok.` / `Fails.`       | 200 `Ok.` / `Fails.`     | 204 / 401                |
// | session cookie       | `SID`                      | `SID`                    | `QBT_SID_<port>`         |
// | add, new / duplicate | `Ok.` / `Fails.`           | `Ok.` / `Fails.`         | JSON receipt / 409       |
// | pause, resume        | `torrents/pause`, `resume` | `torrents/stop`, `start` | `torrents/stop`, `start` |
// | paused state         | `pausedDL`                 | `stoppedDL`              | `stoppedDL`              |
//
// 4.2.5 (WebAPI 2.5.1, libtorrent 1.2) answers as 4.5.2 but for: `tags` on an add ignored (2.6.2),
// no `tag` filter on torrents/info (2.8.3), no `content_path` (2.6.1), a duplicate add answered
// `Ok.`, and no v2 torrents. The WebAPI version that brought each is in docs/qbittorrent.md.
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentProtocolError,
  TorrentRejectedError,
} from './qbittorrent.errors.js';
import { isAbsolutePath, joinPath, withoutTrailingSeparator } from './save-path.js';
import type {
  AddAnswer,
  AddOptions,
  QbittorrentPreferences,
  TorrentContent,
  TorrentInfo,
} from './qbittorrent.types.js';
import { isAtLeast } from './version.js';

/**
 * What differs between qBittorrent versions in the calls this client makes, by the WebAPI version
 * that brought it (its changelog, docs/qbittorrent.md).
 */
export interface Dialect {
  /** WebAPI 2.11.0 (qBittorrent 5.0) renamed pause/resume to stop/start; the old names answer 404. */
  stopStart: boolean;
  /** WebAPI 2.6.2 (4.3.2) takes `tags` on `torrents/add`; before, they are ignored in silence. */
  tagsOnAdd: boolean;
  /** WebAPI 2.8.3 (4.4.0) filters `torrents/info` by `tag`; before, the filter is ignored. */
  tagFilter: boolean;
}

/** One answer of the WebUI, as the transport read it. */
export interface WebuiResponse {
  status: number;
  body: string;
  setCookie: string[];
}

const STOP_START_SINCE = [2, 11, 0];
const TAGS_ON_ADD_SINCE = [2, 6, 2];
const TAG_FILTER_SINCE = [2, 8, 3];

export function dialectFor(webApiVersion: string): Dialect {
  const since = (version: number[]) => isAtLeast(webApiVersion, version);
  return {
    stopStart: since(STOP_START_SINCE),
    tagsOnAdd: since(TAGS_ON_ADD_SINCE),
    tagFilter: since(TAG_FILTER_SINCE),
  };
}

/** The endpoint that stops (pauses) or starts (resumes) torrents in this dialect. */
export function switchPath(action: 'stop' | 'start', dialect: Dialect): string {
  if (action === 'stop') return dialect.stopStart ? 'torrents/stop' : 'torrents/pause';
  return dialect.stopStart ? 'torrents/start' : 'torrents/resume';
}

/**
 * The fields of `torrents/add` that file a new torrent, for magnets and .torrent files alike. A
 * dialect that ignores `tags` there gets them apart (QbittorrentClient, torrents/addTags).
 */
export function addForm(options: AddOptions, dialect: Dialect): Record<string, string> {
  // Started unless asked otherwise, whatever "do not start" default qBittorrent has: 4.x reads
  // `paused`, 5.x `stopped`; each ignores the other's.
  const stopped = String(options.paused ?? false);
  const form: Record<string, string> = { paused: stopped, stopped };
  if (options.savePath !== undefined) {
    form.savepath = options.savePath;
    // With Automatic Torrent Management on by default, qBittorrent ignores savepath silently.
    form.autoTMM = 'false';
  }
  if (options.category !== undefined) form.category = options.category;
  if (options.tags !== undefined && options.tags.length > 0 && dialect.tagsOnAdd) {
    form.tags = options.tags.join(',');
  }
  return form;
}

/** The JSON receipt of `torrents/add` since WebAPI 2.13 (qBittorrent 5.2). */
interface AddReceipt {
  added_torrent_ids?: unknown;
  success_count?: unknown;
  pending_count?: unknown;
}

/**
 * Reads the answer of `torrents/add` in every dialect: `Ok.`/`Fails.`, a JSON receipt, 202/204,
 * 409, 415. `hash` is the id asked for; the answer names the id qBittorrent added it under.
 */
export function readAddAnswer(response: WebuiResponse, hash: string): AddAnswer {
  const refused = (answer: string, failure?: Error): AddAnswer => ({
    hash,
    added: false,
    refusal: failure ?? new TorrentRejectedError(hash, answer),
  });
  if (response.status === 409) return refused('409 Conflict');
  if (response.status === 415) throw new TorrentRejectedError(hash, '415: not a valid torrent');
  expectStatus(response, 'torrents/add', 200);
  // 5.2+ answers 202 for an add it has queued; either way the caller confirms in the list.
  if (response.status === 202 || response.status === 204) return { hash, added: true };

  const body = response.body.trim();
  if (body === 'Ok.') return { hash, added: true };
  if (body === 'Fails.') return refused('Fails.');
  let receipt: AddReceipt;
  try {
    receipt = parseJson<AddReceipt>(body, 'torrents/add');
  } catch (error) {
    // Garbage with a 200 (a proxy page, a cut answer): whether it was added, the list tells.
    return refused('an unreadable answer', error as Error);
  }
  const added: unknown[] = Array.isArray(receipt.added_torrent_ids)
    ? receipt.added_torrent_ids
    : [];
  if (
    added.length > 0 ||
    (typeof receipt.success_count === 'number' && receipt.success_count > 0) ||
    (typeof receipt.pending_count === 'number' && receipt.pending_count > 0)
  ) {
    const [id] = added;
    return { hash: typeof id === 'string' ? id.toLowerCase() : hash, added: true };
  }
  return refused('a receipt with nothing added');
}

/** Reads the answer of `auth/login`: `Ok.` or 204 is in; `Fails.` or 401 wrong credentials; 403 banned. */
export function readLoginAnswer(response: WebuiResponse, username: string): void {
  const body = response.body.trim();
  if ((response.status === 200 && body === 'Fails.') || response.status === 401) {
    throw QbittorrentAuthError.credentials(username);
  }
  if (response.status === 403) throw QbittorrentAuthError.banned();
  if (response.status !== 204 && !(response.status === 200 && body === 'Ok.')) {
    throw response.status === 200
      ? new QbittorrentProtocolError('auth/login', 'expected Ok. or Fails.')
      : new QbittorrentHttpError('auth/login', response.status);
  }
}

/** The `name=value` pairs of every cookie qBittorrent set (`SID` or `QBT_SID_<port>`), for a `Cookie` header. */
export function sessionCookie(setCookie: string[]): string | undefined {
  const pairs = setCookie.map((cookie) => cookie.split(';', 1)[0].trim()).filter(Boolean);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** 200 is what every version answers; 202 and 204 are successes a newer one may answer instead. */
export function expectStatus(response: WebuiResponse, operation: string, status: number): void {
  const success = status === 200 && (response.status === 202 || response.status === 204);
  if (response.status !== status && !success) {
    throw new QbittorrentHttpError(operation, response.status);
  }
}

/**
 * `torrents/info`: the torrents, each with the fields this service reads. `content_path` is made
 * absolute: 4.5.2 reports it relative to the save path after one of its files was renamed.
 * `save_path` loses the trailing separator 4.2.5 gives it.
 */
export function readTorrentList(response: WebuiResponse): TorrentInfo[] {
  expectStatus(response, 'torrents/info', 200);
  const torrents = parseJson<unknown>(response.body, 'torrents/info');
  if (!Array.isArray(torrents) || !torrents.every(isTorrentInfo)) {
    throw new QbittorrentProtocolError('torrents/info', 'expected a JSON array of torrents');
  }
  for (const torrent of torrents) {
    if (typeof torrent.save_path === 'string') {
      torrent.save_path = withoutTrailingSeparator(torrent.save_path);
    }
    const path = torrent.content_path;
    if (path && !isAbsolutePath(path)) torrent.content_path = joinPath(torrent.save_path, path);
  }
  return torrents;
}

/** `torrents/files`: the files of a torrent, or null when qBittorrent does not hold it (404). */
export function readFileList(response: WebuiResponse): TorrentContent[] | null {
  if (response.status === 404) return null;
  expectStatus(response, 'torrents/files', 200);
  const files = parseJson<unknown>(response.body, 'torrents/files');
  if (!Array.isArray(files) || !files.every(isTorrentContent)) {
    throw new QbittorrentProtocolError('torrents/files', 'expected a JSON array of files');
  }
  return files;
}

/** `app/preferences`: a JSON object. */
export function readPreferences(response: WebuiResponse): QbittorrentPreferences {
  expectStatus(response, 'app/preferences', 200);
  const preferences = parseJson<unknown>(response.body, 'app/preferences');
  if (typeof preferences !== 'object' || preferences === null || Array.isArray(preferences)) {
    throw new QbittorrentProtocolError('app/preferences', 'expected a JSON object');
  }
  return preferences;
}

/** The fields this service reads; a proxy's or a future version's odd answer fails here, not later. */
function isTorrentInfo(value: unknown): value is TorrentInfo {
  if (typeof value !== 'object' || value === null) return false;
  const torrent = value as Record<string, unknown>;
  return (
    typeof torrent.hash === 'string' &&
    typeof torrent.state === 'string' &&
    typeof torrent.name === 'string' &&
    typeof torrent.tags === 'string' &&
    typeof torrent.progress === 'number'
  );
}

function isTorrentContent(value: unknown): value is TorrentContent {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    typeof file.name === 'string' &&
    typeof file.size === 'number' &&
    typeof file.progress === 'number'
  );
}

export function parseJson<T>(body: string, operation: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    const preview = body.length === 0 ? 'an empty body' : 'a body that is not JSON';
    throw new QbittorrentProtocolError(operation, `expected JSON, got ${preview}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `app/buildInfo` (WebAPI 2.3.0): the libtorrent version qBittorrent was built on. */
export function readLibtorrentVersion(response: WebuiResponse): string {
  expectStatus(response, 'app/buildInfo', 200);
  const info = parseJson<unknown>(response.body, 'app/buildInfo');
  const libtorrent = isRecord(info) ? info.libtorrent : undefined;
  if (typeof libtorrent !== 'string') {
    throw new QbittorrentProtocolError('app/buildInfo', 'expected a libtorrent version');
  }
  return libtorrent;
}
