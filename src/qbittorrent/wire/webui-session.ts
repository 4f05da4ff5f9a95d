import { Logger } from '@nestjs/common';
import type {
  QbittorrentCredentials,
  QbittorrentInstanceConfig,
} from '../../config/qbittorrent-instances.js';
import {
  type Dialect,
  dialectFor,
  expectStatus,
  readLoginAnswer,
  sessionCookie,
  type WebuiResponse,
} from './dialect.js';
import { QbittorrentAuthError } from './qbittorrent.errors.js';
import type { QbittorrentMetrics } from './qbittorrent.metrics.js';
import type { QbittorrentVersion } from './qbittorrent.types.js';
import { type WebuiCall, WebuiTransport } from './webui-transport.js';

/** A login qBittorrent accepted, and what it told of itself. */
export interface Session {
  /** The cookie header to send back: whatever qBittorrent set (`SID` or `QBT_SID_<port>`). */
  cookie: string | undefined;
  /** Who we are logged in as; null when qBittorrent lets us in without a login. */
  username: string | null;
  version: QbittorrentVersion;
  dialect: Dialect;
}

/** The longest wait between two logins after refusals: qBittorrent's default ban lasts an hour. */
const MAX_LOGIN_COOLDOWN_MS = 3_600_000;

/**
 * The WebUI session: logs in lazily, once for every caller waiting at the same moment, again when
 * qBittorrent forgets the session (a 403: it restarted), and never in a loop after a refusal.
 */
export class WebuiSession {
  private readonly logger = new Logger('QbittorrentClient');
  private readonly loginCooldownMs: number;
  private credentials: QbittorrentCredentials | null;
  private session: Session | null = null;
  private login$: Promise<Session> | null = null;
  private refusal: { error: QbittorrentAuthError; until: number } | null = null;
  /** Logins refused in a row: each doubles the wait before the next (see refuse). */
  private refusals = 0;

  constructor(
    private readonly transport: WebuiTransport,
    private readonly options: Pick<
      QbittorrentInstanceConfig,
      'label' | 'credentials' | 'loginCooldownMs'
    >,
    private readonly metrics: QbittorrentMetrics,
  ) {
    // Credentials are kept from the start, so a login that fails now (qBittorrent not up yet)
    // is simply tried again on the next call.
    this.credentials = options.credentials;
    this.loginCooldownMs = options.loginCooldownMs;
  }

  /** What qBittorrent told of itself at the last login, if any. */
  get version(): QbittorrentVersion | null {
    return this.session?.version ?? null;
  }

  /** The current session, logging in first if there is none. */
  current(): Promise<Session> {
    return this.session ? Promise.resolve(this.session) : this.renew(null);
  }

  /** Logs in now, replacing any current session. */
  login(): Promise<Session> {
    return this.renew(this.session);
  }

  /**
   * Logs in with other credentials and keeps them only if qBittorrent accepts them: a refusal
   * leaves the current credentials and session as they were. Ignores the cooldown of an earlier
   * refusal, since these are new credentials.
   */
  async useCredentials(credentials: QbittorrentCredentials): Promise<Session> {
    const session = await this.tryCredentials(credentials);
    this.keepCredentials(credentials, session);
    return session;
  }

  /** Logs in with other credentials without keeping them: a refusal changes nothing. */
  tryCredentials(credentials: QbittorrentCredentials): Promise<Session> {
    return this.countedLogin(() => this.attemptLogin(credentials));
  }

  /**
   * Keeps credentials from now on, with the session they opened (`tryCredentials`), or, for a
   * qBittorrent that could not be asked, for its next login.
   */
  keepCredentials(credentials: QbittorrentCredentials, session?: Session): void {
    this.credentials = credentials;
    if (session === undefined) {
      this.session = null;
      this.refusal = null;
      this.refusals = 0;
      return;
    }
    this.adopt(session);
    this.logger.log(`Credentials replaced: now logged in as "${credentials.username}"`);
  }

  /** One call with the session, logging in first if needed and once more if qBittorrent answers 403. */
  async request(path: string, call: WebuiCall = {}): Promise<WebuiResponse> {
    const session = await this.current();
    const response = await this.transport.send(path, call, session.cookie);
    if (response.status !== 403) return response;

    this.logger.warn(
      `qBittorrent answered 403 to ${path}: the session has expired, logging in again`,
    );
    const renewed = await this.renew(session);
    const replay = await this.transport.send(path, call, renewed.cookie);
    if (replay.status === 403) throw QbittorrentAuthError.sessionRefused(path);
    return replay;
  }

  /**
   * Replaces `stale` with a new session. All callers that saw the same stale session share one
   * login; a caller whose stale session was already replaced gets the new one without a login.
   */
  private renew(stale: Session | null): Promise<Session> {
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
    const doubled = this.loginCooldownMs * 2 ** Math.max(0, Math.min(this.refusals - 1, 12));
    const wait = Math.min(doubled, MAX_LOGIN_COOLDOWN_MS) * (0.8 + Math.random() * 0.4);
    this.refusal = { error, until: Date.now() + wait };
  }

  private async countedLogin(login: () => Promise<Session>): Promise<Session> {
    try {
      const session = await login();
      this.metrics.logins.inc({ qbittorrent: this.options.label, outcome: 'success' });
      return session;
    } catch (error) {
      const refused = error instanceof QbittorrentAuthError && error.reason !== 'session';
      this.metrics.logins.inc({
        qbittorrent: this.options.label,
        outcome: refused ? 'refused' : 'failed',
      });
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
        `${this.transport.baseUrl} ${who}; torrents are ${session.dialect.stopStart ? 'stopped/started' : 'paused/resumed'}`,
    );
  }

  /** Logs in; throws without changing any state, so that a refusal can leave the session as it was. */
  private async attemptLogin({ username, password }: QbittorrentCredentials): Promise<Session> {
    const response = await this.transport.send('auth/login', {
      method: 'POST',
      form: { username, password },
    });
    readLoginAnswer(response, username);
    return this.describe(sessionCookie(response.setCookie), username);
  }

  /**
   * Without credentials there is nothing to log in with; qBittorrent may still let this address in
   * (its "bypass authentication for clients in whitelisted subnets"), which its version tells.
   */
  private async openWithoutLogin(): Promise<Session> {
    const probe = await this.transport.send('app/version', {});
    if (probe.status === 403) throw QbittorrentAuthError.noCredentials();
    return this.describe(undefined, null);
  }

  private async describe(cookie: string | undefined, username: string | null): Promise<Session> {
    const [app, webApi] = await Promise.all([
      this.readText('app/version', cookie),
      this.readText('app/webapiVersion', cookie),
    ]);
    return { cookie, username, version: { app, webApi }, dialect: dialectFor(webApi) };
  }

  private async readText(path: string, cookie: string | undefined): Promise<string> {
    const response = await this.transport.send(path, {}, cookie);
    if (response.status === 403) throw QbittorrentAuthError.sessionRefused(path);
    expectStatus(response, path, 200);
    return response.body.trim();
  }
}
