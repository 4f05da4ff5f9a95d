import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpService } from '@nestjs/axios';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import type { AppConfig, QbittorrentConfig, QbittorrentCredentials } from '../config/app.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type Dialect, dialectFor } from './dialect.js';
import type { MagnetLink } from './magnet.js';
import {
  QbittorrentAuthError,
  QbittorrentHttpError,
  QbittorrentProtocolError,
  QbittorrentTimeoutError,
  QbittorrentUnavailableError,
  TorrentRejectedError,
} from './qbittorrent.errors.js';
import type { TorrentFile as TorrentMetainfo } from '../torrent-file/torrent-file.js';
import type { QbittorrentPreferences } from './qbittorrent-settings.js';
import type {
  AddAnswer,
  AddMagnetOptions,
  QbittorrentVersion,
  TorrentFile,
  TorrentInfo,
  TorrentQuery,
} from './qbittorrent.types.js';

interface Session {
  /** The cookie header to send back: whatever qBittorrent set (`SID` or `QBT_SID_<port>`). */
  cookie: string | undefined;
  /** Who we are logged in as; null when qBittorrent lets us in without a login. */
  username: string | null;
  version: QbittorrentVersion;
  dialect: Dialect;
}

interface CallInit {
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  form?: Record<string, string>;
  /** A multipart body (file uploads); axios sets its content type with the boundary. */
  multipart?: () => FormData;
}

interface RawResponse {
  status: number;
  body: string;
  setCookie: string[];
}

/** The JSON receipt of `torrents/add` since WebAPI 2.13 (qBittorrent 5.2). */
interface AddReceipt {
  added_torrent_ids?: unknown;
  success_count?: unknown;
  pending_count?: unknown;
}

const MAX_SOCKETS = 32;
/** The longest wait between two logins after refusals: qBittorrent's default ban lasts an hour. */
const MAX_LOGIN_COOLDOWN_MS = 3_600_000;
/** Below the 7 s qBittorrent keeps an idle connection, so we never reuse one it is closing. */
const IDLE_SOCKET_TIMEOUT_MS = 5000;

/**
 * The only place that speaks qBittorrent's WebUI API. Logs in lazily and again whenever qBittorrent
 * forgets the session, and hides every difference between 4.x, 5.0-5.1 and 5.2+: login answers,
 * cookie names, pause/resume vs stop/start, and `Ok.`/`Fails.`/JSON/409 answers to adding.
 * Each method makes one attempt; retrying is the caller's choice (see RetryService).
 * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-5.0)
 */
@Injectable()
export class QbittorrentClient implements OnApplicationShutdown {
  private readonly logger = new Logger(QbittorrentClient.name);
  private readonly options: QbittorrentConfig;
  private readonly httpAgent = new HttpAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
  });
  private readonly httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
  });
  private credentials: QbittorrentCredentials | null;
  private session: Session | null = null;
  private login$: Promise<Session> | null = null;
  private refusal: { error: QbittorrentAuthError; until: number } | null = null;
  /** Logins refused in a row: each doubles the wait before the next (see refuse). */
  private refusals = 0;

  constructor(
    private readonly http: HttpService,
    config: ConfigService<AppConfig, true>,
    private readonly metrics: MetricsService,
  ) {
    // Credentials are kept from the start, so a login that fails now (qBittorrent not up yet)
    // is simply tried again on the next call.
    this.options = config.get('qbittorrent', { infer: true });
    this.credentials = this.options.credentials;
  }

  /** After the HTTP server has finished the requests in flight, which may still be using them. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** The WebUI address this client talks to. */
  get baseUrl(): string {
    return this.options.url;
  }

  /**
   * Logs in now, replacing any current session, and reads the version.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#login
   */
  async login(): Promise<QbittorrentVersion> {
    const session = await this.renewSession(this.session);
    return session.version;
  }

  /**
   * Logs in with other credentials and keeps them only if qBittorrent accepts them: a refusal
   * leaves the current credentials and session as they were. Ignores the cooldown of an earlier
   * refusal, since these are new credentials.
   */
  async useCredentials(credentials: QbittorrentCredentials): Promise<QbittorrentVersion> {
    const session = await this.countedLogin(() => this.attemptLogin(credentials));
    this.credentials = credentials;
    this.adopt(session);
    this.logger.log(`Credentials replaced: now logged in as "${credentials.username}"`);
    return session.version;
  }

  /** Asks qBittorrent for its version through the session: proves it is reachable and we are in. */
  async getVersion(): Promise<QbittorrentVersion> {
    const response = await this.request('app/version');
    expectStatus(response, 'app/version', 200);
    return { app: response.body.trim(), webApi: this.session?.version.webApi ?? 'unknown' };
  }

  /**
   * The preferences this service audits, as qBittorrent reports them.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#get-application-preferences
   */
  async getPreferences(): Promise<QbittorrentPreferences> {
    const response = await this.request('app/preferences');
    expectStatus(response, 'app/preferences', 200);
    const preferences = parseJson<unknown>(response.body, 'app/preferences');
    if (typeof preferences !== 'object' || preferences === null || Array.isArray(preferences)) {
      throw new QbittorrentProtocolError('app/preferences', 'expected a JSON object');
    }
    return preferences;
  }

  /**
   * Adds a magnet link, and says whether qBittorrent answered that it added it. It answers a
   * torrent it holds already as it does an invalid one (`Fails.` or 409): then the torrent list
   * decides, which is the caller's to read (TorrentRepository).
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#add-new-torrent
   */
  async addMagnet(magnet: MagnetLink, options: AddMagnetOptions = {}): Promise<AddAnswer> {
    const form = { urls: magnet.url, ...addForm(options) };
    const response = await this.request('torrents/add', { method: 'POST', form });
    return this.interpretAdd(response, magnet.hash);
  }

  /**
   * Uploads a .torrent file (multipart field `torrents`), with the same answers as addMagnet.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#add-new-torrent
   */
  async addTorrentFile(
    torrent: TorrentMetainfo,
    options: AddMagnetOptions = {},
  ): Promise<AddAnswer> {
    // A FormData is consumed by the request: each attempt (and the replay after a 403) builds its own.
    const response = await this.request('torrents/add', {
      method: 'POST',
      multipart: () => {
        const body = new FormData();
        body.append('torrents', new Blob([torrent.bytes]), `${torrent.hash}.torrent`);
        for (const [name, value] of Object.entries(addForm(options))) body.append(name, value);
        return body;
      },
    });
    return this.interpretAdd(response, torrent.hash);
  }

  /** Reads the answer of `torrents/add` in every dialect: `Ok.`/`Fails.`, a JSON receipt, 409, 415. */
  private interpretAdd(response: RawResponse, hash: string): AddAnswer {
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
      if (typeof id === 'string' && id.toLowerCase() !== hash) {
        this.logger.warn(`qBittorrent added ${hash} as ${id}: reporting its id`);
        return { hash: id.toLowerCase(), added: true };
      }
      return { hash, added: true };
    }
    return refused('a receipt with nothing added');
  }

  /**
   * One torrent, or `null` when qBittorrent does not hold it.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#get-torrent-list
   */
  async getTorrentInfo(hash: string): Promise<TorrentInfo | null> {
    const [torrent] = await this.getTorrents({ hashes: [hash] });
    return torrent ?? null;
  }

  /** Every torrent qBittorrent holds. */
  getAllTorrents(): Promise<TorrentInfo[]> {
    return this.getTorrents({});
  }

  /** Torrents matching a query, from one call however many hashes it names. */
  async getTorrents(query: TorrentQuery): Promise<TorrentInfo[]> {
    const params: Record<string, string> = {};
    if (query.hashes !== undefined) params.hashes = query.hashes.join('|');
    if (query.category !== undefined) params.category = query.category;
    if (query.tag !== undefined) params.tag = query.tag;
    const response = await this.request('torrents/info', { query: params });
    expectStatus(response, 'torrents/info', 200);
    const torrents = parseJson<unknown>(response.body, 'torrents/info');
    if (!Array.isArray(torrents) || !torrents.every(isTorrentInfo)) {
      throw new QbittorrentProtocolError('torrents/info', 'expected a JSON array of torrents');
    }
    return torrents;
  }

  /**
   * The files of a torrent, or `null` when qBittorrent does not hold it.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#get-torrent-contents
   */
  async getFiles(hash: string): Promise<TorrentFile[] | null> {
    const response = await this.request('torrents/files', { query: { hash } });
    if (response.status === 404) return null;
    expectStatus(response, 'torrents/files', 200);
    const files = parseJson<unknown>(response.body, 'torrents/files');
    if (!Array.isArray(files) || !files.every(isTorrentFile)) {
      throw new QbittorrentProtocolError('torrents/files', 'expected a JSON array of files');
    }
    return files;
  }

  /** Pauses (4.x) or stops (5.x) a torrent. qBittorrent answers 200 even for a hash it does not hold. */
  pause(hash: string): Promise<void> {
    return this.switchTorrent(hash, 'stop');
  }

  /** Resumes (4.x) or starts (5.x) a torrent. qBittorrent answers 200 even for a hash it does not hold. */
  resume(hash: string): Promise<void> {
    return this.switchTorrent(hash, 'start');
  }

  /**
   * Removes a torrent, with or without its downloaded files.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#delete-torrents
   */
  delete(hash: string, deleteFiles: boolean): Promise<void> {
    return this.deleteMany([hash], deleteFiles);
  }

  /**
   * Adds tags to a torrent (qBittorrent answers 200 even for a hash it does not hold).
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#add-torrent-tags
   */
  async addTags(hash: string, tags: string[]): Promise<void> {
    const response = await this.request('torrents/addTags', {
      method: 'POST',
      form: { hashes: hash, tags: tags.join(',') },
    });
    expectStatus(response, 'torrents/addTags', 200);
  }

  /**
   * Removes several torrents in one call, with or without their files.
   * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-4.1)#delete-torrents
   */
  async deleteMany(hashes: string[], deleteFiles: boolean): Promise<void> {
    const response = await this.request('torrents/delete', {
      method: 'POST',
      form: { hashes: hashes.join('|'), deleteFiles: String(deleteFiles) },
    });
    expectStatus(response, 'torrents/delete', 200);
  }

  private async switchTorrent(hash: string, action: 'stop' | 'start'): Promise<void> {
    const session = await this.currentSession();
    let path = switchPath(action, session.dialect);
    let response = await this.request(path, { method: 'POST', form: { hashes: hash } });
    if (response.status === 404) {
      // A build whose WebAPI version misled us: the other name is the one it knows.
      session.dialect = { stopStart: !session.dialect.stopStart };
      const unknown = path;
      path = switchPath(action, session.dialect);
      this.logger.warn(`qBittorrent answered 404 to ${unknown}; using ${path} from now on`);
      response = await this.request(path, { method: 'POST', form: { hashes: hash } });
    }
    expectStatus(response, path, 200);
  }

  /** One call with the session, logging in first if needed and once more if qBittorrent answers 403. */
  private async request(path: string, init: CallInit = {}): Promise<RawResponse> {
    const session = await this.currentSession();
    const response = await this.send(path, init, session.cookie);
    if (response.status !== 403) return response;

    this.logger.warn(
      `qBittorrent answered 403 to ${path}: the session has expired, logging in again`,
    );
    const renewed = await this.renewSession(session);
    const replay = await this.send(path, init, renewed.cookie);
    if (replay.status === 403) throw QbittorrentAuthError.sessionRefused(path);
    return replay;
  }

  private currentSession(): Promise<Session> {
    return this.session ? Promise.resolve(this.session) : this.renewSession(null);
  }

  /**
   * Replaces `stale` with a new session. All callers that saw the same stale session share one
   * login; a caller whose stale session was already replaced gets the new one without a login.
   */
  private renewSession(stale: Session | null): Promise<Session> {
    if (this.session !== null && this.session !== stale) return Promise.resolve(this.session);
    this.login$ ??= this.performLogin().finally(() => {
      this.login$ = null;
    });
    return this.login$;
  }

  private async performLogin(): Promise<Session> {
    const now = Date.now();
    if (this.refusal && now < this.refusal.until) {
      throw this.refusal.error.remembered(this.refusal.until - now, this.refusals);
    }
    const credentials = this.credentials;
    try {
      const session = await this.countedLogin(() =>
        credentials === null ? this.openWithoutLogin() : this.attemptLogin(credentials),
      );
      this.adopt(session);
      return session;
    } catch (error) {
      if (error instanceof QbittorrentAuthError && error.reason !== 'session') {
        this.session = null;
        this.refuse(error);
        this.logger.error(error.message);
      }
      throw error;
    }
  }

  /**
   * Answers from a refusal for a while instead of asking again: every failed login counts towards
   * qBittorrent's ban of this address (5 by default, for an hour), and replicas behind one address
   * share that count. The wait doubles with each refusal in a row (up to an hour) and is jittered
   * by ±20%, so that replicas do not try again in step. Without credentials nothing is tried, and
   * the wait stays the cooldown.
   */
  private refuse(error: QbittorrentAuthError): void {
    if (error.reason !== 'no-credentials') this.refusals++;
    const doubled =
      this.options.loginCooldownMs * 2 ** Math.max(0, Math.min(this.refusals - 1, 12));
    const wait = Math.min(doubled, MAX_LOGIN_COOLDOWN_MS) * (0.8 + Math.random() * 0.4);
    this.refusal = { error, until: Date.now() + wait };
  }

  private async countedLogin(login: () => Promise<Session>): Promise<Session> {
    try {
      const session = await login();
      this.metrics.countLogin('success');
      return session;
    } catch (error) {
      const refused = error instanceof QbittorrentAuthError && error.reason !== 'session';
      this.metrics.countLogin(refused ? 'refused' : 'failed');
      throw error;
    }
  }

  private adopt(session: Session): void {
    this.session = session;
    this.refusal = null;
    this.refusals = 0;
    const who = session.username === null ? 'without a login' : `as "${session.username}"`;
    this.logger.log(
      `Logged in to qBittorrent ${session.version.app} (WebAPI ${session.version.webApi}) at ` +
        `${this.options.url} ${who}; torrents are ${session.dialect.stopStart ? 'stopped/started' : 'paused/resumed'}`,
    );
  }

  /** Logs in; throws without changing any state, so that a refusal can leave the session as it was. */
  private async attemptLogin({ username, password }: QbittorrentCredentials): Promise<Session> {
    const response = await this.send('auth/login', {
      method: 'POST',
      form: { username, password },
    });
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
    return this.describeSession(sessionCookie(response.setCookie), username);
  }

  /**
   * Without credentials there is nothing to log in with; qBittorrent may still let this address in
   * (its "bypass authentication for clients in whitelisted subnets"), which its version tells.
   */
  private async openWithoutLogin(): Promise<Session> {
    const probe = await this.send('app/version', {});
    if (probe.status === 403) throw QbittorrentAuthError.noCredentials();
    return this.describeSession(undefined, null);
  }

  private async describeSession(
    cookie: string | undefined,
    username: string | null,
  ): Promise<Session> {
    const [app, webApi] = await Promise.all([
      this.readText('app/version', cookie),
      this.readText('app/webapiVersion', cookie),
    ]);
    return { cookie, username, version: { app, webApi }, dialect: dialectFor(webApi) };
  }

  private async readText(path: string, cookie: string | undefined): Promise<string> {
    const response = await this.send(path, {}, cookie);
    if (response.status === 403) throw QbittorrentAuthError.sessionRefused(path);
    expectStatus(response, path, 200);
    return response.body.trim();
  }

  private async send(path: string, init: CallInit, cookie?: string): Promise<RawResponse> {
    // No gzip: qBittorrent compresses every answer over a few bytes when asked (axios asks by
    // default), which cost a millisecond a call on both sides for a 1-torrent answer; qBittorrent
    // runs on this machine or its LAN, often on a small NAS CPU, where bytes are cheaper than CPU.
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (cookie !== undefined) headers.cookie = cookie;
    const config: AxiosRequestConfig<string | FormData> = {
      baseURL: `${this.options.url}/api/v2/`,
      url: path,
      method: init.method ?? 'GET',
      params: init.query,
      headers,
      // One deadline for the whole call, including the wait for a free connection.
      signal: AbortSignal.timeout(this.options.timeoutMs),
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      proxy: false,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
    };
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      config.data = new URLSearchParams(init.form).toString();
    } else if (init.multipart !== undefined) {
      config.data = init.multipart();
    }
    let response: AxiosResponse<unknown>;
    const started = performance.now();
    try {
      // axiosRef rather than the Observable API: per call, the latter adds a CancelToken whose
      // cancellation on completion builds an error with a stack trace (2-3% of CPU under load).
      response = await this.http.axiosRef.request<unknown>(config);
    } catch (error) {
      this.observe(path, 'error', started);
      throw this.transportError(path, error);
    }
    this.observe(path, String(response.status), started);
    const setCookie = response.headers['set-cookie'];
    return {
      status: response.status,
      body: typeof response.data === 'string' ? response.data : '',
      setCookie: Array.isArray(setCookie) ? setCookie : [],
    };
  }

  private observe(operation: string, status: string, started: number): void {
    this.metrics.qbittorrentRequests.observe(
      { operation, status },
      (performance.now() - started) / 1000,
    );
  }

  private transportError(path: string, error: unknown): Error {
    if (error instanceof AxiosError) {
      if (error.code === AxiosError.ERR_CANCELED || error.code === AxiosError.ECONNABORTED) {
        return new QbittorrentTimeoutError(path, this.options.timeoutMs);
      }
      // For network failures axios keeps the system error code: ECONNREFUSED, ECONNRESET...
      return new QbittorrentUnavailableError(this.options.url, error.code ?? 'no answer');
    }
    // Not an error of the call (a bug of ours): keep it as it is rather than disguise it.
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The fields of `torrents/add` that file a new torrent, shared by magnets and .torrent files. */
function addForm(options: AddMagnetOptions): Record<string, string> {
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
  if (options.tags !== undefined && options.tags.length > 0) form.tags = options.tags.join(',');
  return form;
}

function switchPath(action: 'stop' | 'start', dialect: Dialect): string {
  if (action === 'stop') return dialect.stopStart ? 'torrents/stop' : 'torrents/pause';
  return dialect.stopStart ? 'torrents/start' : 'torrents/resume';
}

/** The `name=value` pairs of every cookie qBittorrent set, ready for a `Cookie` header. */
function sessionCookie(setCookie: string[]): string | undefined {
  const pairs = setCookie.map((cookie) => cookie.split(';', 1)[0].trim()).filter(Boolean);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** 200 is what every version answers; 202 and 204 are successes a newer one may answer instead. */
function expectStatus(response: RawResponse, operation: string, status: number): void {
  const success = status === 200 && (response.status === 202 || response.status === 204);
  if (response.status !== status && !success) {
    throw new QbittorrentHttpError(operation, response.status);
  }
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

function isTorrentFile(value: unknown): value is TorrentFile {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    typeof file.name === 'string' &&
    typeof file.size === 'number' &&
    typeof file.progress === 'number'
  );
}

function parseJson<T>(body: string, operation: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    const preview = body.length === 0 ? 'an empty body' : 'a body that is not JSON';
    throw new QbittorrentProtocolError(operation, `expected JSON, got ${preview}`);
  }
}
