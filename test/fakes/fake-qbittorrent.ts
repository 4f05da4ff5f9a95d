import { createHash, randomBytes } from 'node:crypto';
import bencode from 'bencode';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The WebUI dialects of docs/qbittorrent.md, named by the real version they were seen on. 4.2.5
 * stands for WebAPI before 2.6.2 on libtorrent 1.2, 4.5.2 for the rest of 4.x, 5.1.0 for 5.0-5.1,
 * 5.3.0 for 5.2 and later.
 */
export type FakeDialect = '4.2.5' | '4.5.2' | '5.1.0' | '5.3.0';
export const DIALECTS: FakeDialect[] = ['4.2.5', '4.5.2', '5.1.0', '5.3.0'];

interface DialectSpec {
  app: string;
  webApi: string;
  /** What a removed endpoint answers with its 404: 5.1.0 `Not Found`, 5.3.0 `Endpoint does not exist`. */
  removedEndpointBody: string;
  /** 5.2+: login answers 204, refuses with 401, names its cookie QBT_SID_<port>, adds with a receipt or 409. */
  modernAnswers: boolean;
  /** 5.0+: torrents/stop and torrents/start; pause/resume answer 404. */
  stopStart: boolean;
  /** `app/buildInfo`'s libtorrent: 1.2 (4.2.5) knows no v2 hashes. */
  libtorrent: string;
  /** WebAPI 2.6.2+: `tags` on `torrents/add` (ignored before); 2.8.3+: `tag` on `torrents/info`. */
  tagsOnAdd: boolean;
  tagFilter: boolean;
  /** WebAPI 2.6.1+: `content_path` in `torrents/info`. */
  contentPath: boolean;
  /**
   * What 4.2.5 alone does: answers an add of a torrent it holds `Ok.`, answers 403 and 404 with an
   * empty body, reads a magnet's `XT` key only in lower case, and reports `last_activity` as now
   * until a byte came in (libtorrent 1.2).
   */
  old: boolean;
}

const MODERN = { tagsOnAdd: true, tagFilter: true, contentPath: true, old: false };
const SPECS: Record<FakeDialect, DialectSpec> = {
  '4.2.5': {
    app: 'v4.2.5',
    webApi: '2.5.1',
    removedEndpointBody: '',
    modernAnswers: false,
    stopStart: false,
    libtorrent: '1.2.9.0',
    tagsOnAdd: false,
    tagFilter: false,
    contentPath: false,
    old: true,
  },
  '4.5.2': {
    app: 'v4.5.2',
    webApi: '2.8.19',
    removedEndpointBody: 'Not Found',
    modernAnswers: false,
    stopStart: false,
    libtorrent: '2.0.8.0',
    ...MODERN,
  },
  '5.1.0': {
    app: 'v5.1.0',
    webApi: '2.11.4',
    removedEndpointBody: 'Not Found',
    modernAnswers: false,
    stopStart: true,
    libtorrent: '2.0.11.0',
    ...MODERN,
  },
  '5.3.0': {
    app: 'v5.3.0',
    webApi: '2.16.2',
    removedEndpointBody: 'Endpoint does not exist',
    modernAnswers: true,
    stopStart: true,
    libtorrent: '2.0.11.0',
    ...MODERN,
  },
};

export interface FakeTorrent {
  hash: string;
  name: string;
  state: string;
  progress: number;
  size: number;
  total_size: number;
  completed: number;
  downloaded: number;
  amount_left: number;
  dlspeed: number;
  eta: number;
  save_path: string;
  content_path: string;
  category: string;
  tags: string;
  added_on: number;
  completion_on: number;
  infohash_v1: string;
  infohash_v2: string;
  num_seeds: number;
  num_complete: number;
  availability: number;
  last_activity: number;
  /** The tracker that last answered: empty while none does (none answers a fake). */
  tracker?: string;
  trackers_count?: number;
  /** Paths relative to save_path, as `torrents/files` names them; none until the metadata is known. */
  files: { name: string; size: number }[];
}

/** A fault served instead of (or after) the real handling of the next matching request. */
export type Fault =
  | { kind: 'status'; status: number; body?: string; afterHandling?: boolean }
  | { kind: 'body'; body: string; contentType?: string; afterHandling?: boolean }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  /** Held until `calls` requests carry this fault (all in flight at once), then answered together. */
  | { kind: 'barrier'; calls: number }
  | { kind: 'destroy' };

export interface RecordedCall {
  method: string;
  /** Path below /api/v2/, e.g. `torrents/add`. */
  endpoint: string;
  form: URLSearchParams;
  /** The `torrents` parts of a multipart upload. */
  uploads: Buffer[];
  query: URLSearchParams;
  cookie: string | undefined;
}

export interface FakeQbittorrentOptions {
  dialect?: FakeDialect;
  username?: string;
  password?: string;
  /** Failed logins after which the address is banned (403), as qBittorrent does; default 5. */
  banAfter?: number;
  /** Listen on this port (for "qBittorrent comes up later" tests); default a free one. */
  port?: number;
  /** Answer this to app/version instead of the dialect's own (`v4.1.9`, say). */
  appVersion?: string;
}

/**
 * An in-process qBittorrent WebUI on 127.0.0.1 that answers like the real 4.5.2, 5.1.0 or 5.3.0
 * as recorded in docs/qbittorrent.md, with a recorder of calls and injectable faults.
 */
export class FakeQbittorrent {
  readonly torrents = new Map<string, FakeTorrent>();
  /**
   * How long after an add a new torrent appears in `torrents/info`: real qBittorrent lists it once
   * its main thread has handled libtorrent's add alert, a moment after answering.
   */
  listAfterMs = 0;
  /** When each torrent becomes listed (epoch ms); absent: listed. */
  private readonly listedAt = new Map<string, number>();
  /**
   * `server_state.free_space_on_disk` of `sync/maindata`: the free space of the default save path
   * (0 before qBittorrent's first disk check; -1 on 4.2.5). Tests change it.
   */
  freeSpace = 100 * 1024 ** 3;
  /**
   * `server_state.dht_nodes` and `connection_status`: what a qBittorrent run with the safe
   * configuration of the tests reports (DHT off, listening, nothing coming in). Tests change them.
   */
  dhtNodes = 0;
  connectionStatus = 'firewalled';
  /** What each `sync/maindata` answer sent, by its rid: the base of the next delta. */
  private readonly syncSnapshots = new Map<number, SyncSnapshot>();
  private lastRid = 0;
  /** What `app/preferences` answers: qBittorrent's defaults, in this version's names. Tests change it. */
  readonly preferences: Record<string, unknown>;
  readonly calls: RecordedCall[] = [];
  /** Every session id this fake ever handed out: secrets a test can look for in logs. */
  readonly issuedSessions: string[] = [];
  readonly spec: DialectSpec;
  private readonly sessions = new Set<string>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private failedLogins = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly peakInFlight = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly dialect: FakeDialect,
    private readonly options: Required<
      Omit<FakeQbittorrentOptions, 'port' | 'dialect' | 'appVersion'>
    >,
    appVersion?: string,
  ) {
    this.spec = { ...SPECS[dialect], app: appVersion ?? SPECS[dialect].app };
    this.preferences = {
      auto_tmm_enabled: false,
      [this.spec.stopStart ? 'add_stopped_enabled' : 'start_paused_enabled']: false,
      max_ratio_enabled: false,
      max_ratio: -1,
      max_ratio_act: 0,
      max_seeding_time_enabled: false,
      max_seeding_time: -1,
      dht: true,
      queueing_enabled: true,
      max_active_downloads: 3,
      dont_count_slow_torrents: false,
      web_ui_max_auth_fail_count: options.banAfter,
      web_ui_ban_duration: 3600,
      save_path: '/downloads',
    };
  }

  static async start(options: FakeQbittorrentOptions = {}): Promise<FakeQbittorrent> {
    // Real qBittorrent takes request lines of tens of KiB (1000 hashes in one torrents/info query).
    const server = createServer({ maxHeaderSize: 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const fake = new FakeQbittorrent(
      server,
      (server.address() as AddressInfo).port,
      options.dialect ?? '4.5.2',
      {
        username: options.username ?? 'admin',
        password: options.password ?? 'adminadmin',
        banAfter: options.banAfter ?? 5,
      },
      options.appVersion,
    );
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (request, response) => void fake.handle(request, response));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Whether its libtorrent (2) takes v2 hashes: 4.2.5's (1.2) knows v1 only. */
  get knowsV2(): boolean {
    return !this.spec.libtorrent.startsWith('1.');
  }

  get cookieName(): string {
    return this.spec.modernAnswers ? `QBT_SID_${this.port}` : 'SID';
  }

  /** The calls made to one endpoint, e.g. `auth/login`. */
  callsTo(endpoint: string): RecordedCall[] {
    return this.calls.filter((call) => call.endpoint === endpoint);
  }

  /** Forgets every session, as a restarted qBittorrent does. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Serves `fault` to the next `times` calls of `endpoint`. */
  inject(endpoint: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(endpoint, queue);
  }

  /** Holds a torrent as if another client had added its magnet, with `changes` over its fields. */
  holdForeign(hash: string, changes: Partial<FakeTorrent> = {}): FakeTorrent {
    const magnet = `magnet:?xt=urn:btih:${hash}&dn=other-${hash.slice(0, 6)}`;
    const torrent = {
      ...newTorrent(hash, { v1: hash }, magnet, new URLSearchParams()),
      ...changes,
    };
    this.torrents.set(hash, torrent);
    return torrent;
  }

  /** Completes a torrent as if it had downloaded `size` bytes of one file named after it. */
  complete(hash: string, size: number, state = 'stalledUP'): void {
    const torrent = this.torrents.get(hash);
    if (!torrent) throw new Error(`no torrent ${hash}`);
    Object.assign(torrent, {
      state,
      progress: 1,
      completion_on: Math.floor(Date.now() / 1000),
      size,
      total_size: size,
      completed: size,
      downloaded: size,
      eta: 8_640_000,
      availability: 1,
      num_seeds: 1,
      num_complete: 1,
    });
    if (torrent.files.length === 0) torrent.files = [{ name: torrent.name, size }];
  }

  /** The most calls of one endpoint that were ever in flight at once. */
  maxInFlight(endpoint: string): number {
    return this.peakInFlight.get(endpoint) ?? 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const body = await readBody(request);
    const contentType = request.headers['content-type'] ?? '';
    const endpoint = url.pathname.replace(/^\/api\/v2\//, '');
    const call: RecordedCall = {
      method: request.method ?? 'GET',
      endpoint,
      form: new URLSearchParams(),
      uploads: [],
      query: url.searchParams,
      cookie: request.headers.cookie,
    };
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      call.form = new URLSearchParams(body.toString('utf8'));
    } else if (contentType.startsWith('multipart/form-data')) {
      const parts = await new Response(body, {
        headers: { 'content-type': contentType },
      }).formData();
      for (const [name, value] of parts) {
        if (typeof value === 'string') call.form.append(name, value);
        else if (name === 'torrents') call.uploads.push(Buffer.from(await value.arrayBuffer()));
      }
    }
    this.calls.push(call);

    const inFlight = (this.inFlight.get(endpoint) ?? 0) + 1;
    this.inFlight.set(endpoint, inFlight);
    this.peakInFlight.set(endpoint, Math.max(inFlight, this.peakInFlight.get(endpoint) ?? 0));
    response.once('close', () =>
      this.inFlight.set(endpoint, (this.inFlight.get(endpoint) ?? 1) - 1),
    );

    const fault = this.faults.get(endpoint)?.shift();
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'barrier') await this.barrier(endpoint, fault.calls);
    if (fault?.kind === 'hang') return; // keep the connection open, never answer
    if (fault?.kind === 'destroy') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'body' && !fault.afterHandling) {
      send(response, 200, fault.body, fault.contentType ?? 'text/html');
      return;
    }
    if (fault?.kind === 'status' && !fault.afterHandling) {
      send(response, fault.status, fault.body ?? `HTTP ${fault.status}`);
      return;
    }
    const answer = this.route(call);
    if (fault?.kind === 'status') {
      send(response, fault.status, fault.body ?? `HTTP ${fault.status}`);
      return;
    }
    if (fault?.kind === 'body') {
      send(response, 200, fault.body, fault.contentType ?? 'text/html');
      return;
    }
    send(response, answer.status, answer.body, answer.contentType, answer.headers);
  }

  private route(call: RecordedCall): Answer {
    if (call.endpoint === 'auth/login') return this.login(call);
    if (!this.authorized(call.cookie)) {
      return { status: 403, body: this.spec.old ? '' : 'Forbidden' };
    }
    switch (call.endpoint) {
      case 'app/version':
        return { status: 200, body: this.spec.app };
      case 'app/webapiVersion':
        return { status: 200, body: this.spec.webApi };
      case 'app/buildInfo':
        return json({
          qt: '5.15.2',
          libtorrent: this.spec.libtorrent,
          boost: '1.74.0',
          bitness: 64,
        });
      case 'app/preferences':
        return json(this.preferences);
      case 'torrents/add':
        return this.add(call.form, call.uploads);
      case 'torrents/info':
        return json(this.listed(call.query));
      case 'torrents/files':
        return this.files(call.query.get('hash') ?? '');
      case 'sync/maindata':
        return json(this.maindata(Number(call.query.get('rid') ?? 0)));
      case 'torrents/pause':
      case 'torrents/resume':
        if (this.spec.stopStart) return { status: 404, body: this.spec.removedEndpointBody };
        return this.switchState(call.form, call.endpoint === 'torrents/pause');
      case 'torrents/stop':
      case 'torrents/start':
        if (!this.spec.stopStart) return this.notFound();
        return this.switchState(call.form, call.endpoint === 'torrents/stop');
      case 'torrents/addTags':
        return this.addTags(call.form);
      case 'torrents/renameFile':
        return this.renameFile(call.form);
      case 'torrents/delete':
        for (const hash of (call.form.get('hashes') ?? '').split('|'))
          this.torrents.delete(hash.toLowerCase());
        return { status: 200, body: '' };
      default:
        return this.notFound();
    }
  }

  private notFound(): Answer {
    return { status: 404, body: this.spec.old ? '' : 'Not Found' };
  }

  private login(call: RecordedCall): Answer {
    if (this.failedLogins >= this.options.banAfter) {
      return {
        status: 403,
        body: 'Your IP address has been banned after too many failed authentication attempts.',
      };
    }
    const { username, password } = this.options;
    if (call.form.get('username') !== username || call.form.get('password') !== password) {
      this.failedLogins++;
      return this.spec.modernAnswers
        ? { status: 401, body: 'Unauthorized' }
        : { status: 200, body: 'Fails.' };
    }
    // Real session ids are 32 characters of base64, `+` and `/` included.
    const sid = randomBytes(24).toString('base64');
    this.sessions.add(sid);
    this.issuedSessions.push(sid);
    const headers = {
      'set-cookie': `${this.cookieName}=${sid}; HttpOnly; path=/; SameSite=Strict`,
    };
    return this.spec.modernAnswers
      ? { status: 204, body: '', headers }
      : { status: 200, body: 'Ok.', headers };
  }

  private authorized(cookieHeader: string | undefined): boolean {
    for (const part of (cookieHeader ?? '').split(';')) {
      const separator = part.indexOf('=');
      if (separator < 0) continue;
      const name = part.slice(0, separator).trim();
      // 5.3.0 refuses a cookie named SID even with a valid session value.
      if (name === this.cookieName && this.sessions.has(part.slice(separator + 1).trim()))
        return true;
    }
    return false;
  }

  private add(given: URLSearchParams, uploads: Buffer[]): Answer {
    const added: string[] = [];
    let failures = 0;
    // Before WebAPI 2.6.2 `tags` on an add are ignored.
    const form = new URLSearchParams(given);
    if (!this.spec.tagsOnAdd) form.delete('tags');
    const libtorrent2 = !this.spec.libtorrent.startsWith('1.');
    for (const upload of uploads) {
      const read = readTorrentFile(upload);
      // libtorrent 1.2 reads a hybrid file as v1 and cannot load a v2-only one.
      const metainfo = read && !libtorrent2 ? (read.v1 ? { ...read, id: read.v1 } : null) : read;
      // 4.x and 5.x alike refuse a file libtorrent cannot load with 415.
      if (!metainfo) return { status: 415, body: 'Torrent file is not valid.' };
      if (this.torrents.has(metainfo.id)) {
        if (this.spec.old) added.push(metainfo.id);
        else failures++;
        continue;
      }
      this.torrents.set(metainfo.id, this.filed(newTorrentFromFile(metainfo, form), form));
      this.listLater(metainfo.id);
      added.push(metainfo.id);
    }
    // qBittorrent reads `urls` as one link per line.
    for (const link of (form.get('urls') ?? '').split('\n').filter((line) => line.trim() !== '')) {
      const hashes = hashesOf(link.trim(), !this.spec.old);
      // libtorrent 1.2 knows no btmh: a v2-only magnet is refused, a hybrid one read as v1.
      if (!hashes || (!libtorrent2 && !hashes.v1)) {
        failures++;
        continue;
      }
      const id = hashes.v2 && libtorrent2 ? hashes.v2.slice(0, 40) : (hashes.v1 as string);
      if (this.torrents.has(id)) {
        if (this.spec.old) added.push(id);
        else failures++;
        continue;
      }
      this.torrents.set(id, this.filed(newTorrent(id, hashes, link, form), form));
      this.listLater(id);
      added.push(id);
    }
    if (!this.spec.modernAnswers) return { status: 200, body: added.length > 0 ? 'Ok.' : 'Fails.' };
    if (added.length === 0) return { status: 409, body: 'Conflict' };
    return json({
      added_torrent_ids: added,
      failure_count: failures,
      pending_count: 0,
      success_count: added.length,
    });
  }

  /**
   * Where and how qBittorrent files a new torrent under its preferences: with Automatic Torrent
   * Management on by default it ignores `savepath` unless `autoTMM=false`; with "do not start" on
   * it adds it stopped unless told (`paused` in 4.x, `stopped` in 5.x) otherwise.
   */
  private filed(torrent: FakeTorrent, form: URLSearchParams): FakeTorrent {
    const autoTmm = form.get('autoTMM') ?? String(this.preferences.auto_tmm_enabled);
    if (autoTmm === 'true') {
      torrent.save_path = String(this.preferences.save_path);
      torrent.content_path = `${torrent.save_path}/${torrent.name}`;
    }
    const stoppedKey = this.spec.stopStart ? 'stopped' : 'paused';
    const defaultKey = this.spec.stopStart ? 'add_stopped_enabled' : 'start_paused_enabled';
    if ((form.get(stoppedKey) ?? String(this.preferences[defaultKey])) === 'true') {
      torrent.state = `${this.spec.stopStart ? 'stopped' : 'paused'}DL`;
    }
    return torrent;
  }

  private readonly barriers = new Map<string, { waiting: (() => void)[] }>();

  /** Resolves once `calls` requests to `endpoint` wait here. */
  private barrier(endpoint: string, calls: number): Promise<void> {
    const barrier = this.barriers.get(endpoint) ?? { waiting: [] };
    this.barriers.set(endpoint, barrier);
    return new Promise((resolve) => {
      barrier.waiting.push(resolve);
      if (barrier.waiting.length >= calls) {
        this.barriers.delete(endpoint);
        for (const release of barrier.waiting) release();
      }
    });
  }

  private listLater(hash: string): void {
    if (this.listAfterMs > 0) this.listedAt.set(hash, Date.now() + this.listAfterMs);
    else this.listedAt.delete(hash);
  }

  private addTags(form: URLSearchParams): Answer {
    const added = (form.get('tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    for (const hash of (form.get('hashes') ?? '').split('|')) {
      const torrent = this.torrents.get(hash.toLowerCase());
      // 200 for a hash it does not hold, or does not list yet (still being added), like the real one
      if (!torrent || (this.listedAt.get(torrent.hash) ?? 0) > Date.now()) continue;
      const tags = torrent.tags.split(', ').filter(Boolean);
      torrent.tags = [...new Set([...tags, ...added])].sort().join(', ');
    }
    return { status: 200, body: '' };
  }

  private info(query: URLSearchParams): FakeTorrent[] {
    const now = Date.now();
    let torrents = [...this.torrents.values()].filter(
      (torrent) => (this.listedAt.get(torrent.hash) ?? 0) <= now,
    );
    const hashes = query.get('hashes');
    if (hashes) {
      const wanted = hashes.split('|').map((hash) => hash.toLowerCase());
      torrents = torrents.filter((torrent) => wanted.includes(torrent.hash));
    }
    const category = query.get('category');
    if (category !== null) torrents = torrents.filter((torrent) => torrent.category === category);
    const tag = query.get('tag');
    if (tag !== null && this.spec.tagFilter)
      torrents = torrents.filter((torrent) => torrent.tags.split(', ').includes(tag));
    return torrents;
  }

  /** `torrents/info` as this version answers it. */
  private listed(query: URLSearchParams): Record<string, unknown>[] {
    return this.info(query).map((torrent) => this.asThisVersion(torrent));
  }

  /**
   * A torrent's fields as this version lists them: 4.2.5 (WebAPI before 2.6.1) has no
   * `content_path` nor `infohash_v1`/`infohash_v2`, ends `save_path` with a slash, and says it was
   * active now until a byte came in.
   */
  private asThisVersion(torrent: FakeTorrent): Record<string, unknown> {
    if (!this.spec.old) return { ...torrent };
    const { content_path: _contentPath, infohash_v1: _v1, infohash_v2: _v2, ...older } = torrent;
    return {
      ...older,
      save_path: older.save_path.replace(/\/?$/, '/'),
      last_activity:
        torrent.downloaded > 0 ? torrent.last_activity : Math.floor(Date.now() / 1000) + 1,
    };
  }

  /**
   * `sync/maindata?rid=N` as qBittorrent answers it: a delta against the answer numbered N if that
   * is one it sent (changed fields only, new torrents whole, removals in `torrents_removed`), else
   * everything with `full_update`. Since 5.1 empty collections are left out.
   */
  private maindata(rid: number): Record<string, unknown> {
    const torrents: Record<string, Record<string, unknown>> = {};
    for (const torrent of this.listed(new URLSearchParams())) {
      const { hash, files: _files, ...fields } = torrent;
      torrents[hash as string] = fields;
    }
    const current: SyncSnapshot = {
      torrents,
      serverState: {
        free_space_on_disk: this.freeSpace,
        dht_nodes: this.dhtNodes,
        connection_status: this.connectionStatus,
        queueing: true,
        refresh_interval: 1500,
      },
    };
    const base = this.syncSnapshots.get(rid);
    const id = ++this.lastRid;
    this.syncSnapshots.set(id, current);
    for (const old of [...this.syncSnapshots.keys()])
      if (old < id - 2) this.syncSnapshots.delete(old);
    const omitEmpty = this.dialect !== '4.5.2';
    const answer: Record<string, unknown> = { rid: id };
    if (base === undefined) {
      answer.full_update = true;
      answer.torrents = torrents;
      answer.server_state = current.serverState;
      answer.categories = {};
      answer.tags = [];
      return answer;
    }
    const changed: Record<string, Record<string, unknown>> = {};
    for (const [hash, fields] of Object.entries(torrents)) {
      const before = base.torrents[hash];
      const delta = changedFields(before ?? {}, fields);
      if (before === undefined || Object.keys(delta).length > 0)
        changed[hash] = before ? delta : fields;
    }
    const removed = Object.keys(base.torrents).filter((hash) => !(hash in torrents));
    const serverState = changedFields(base.serverState, current.serverState);
    if (!omitEmpty || Object.keys(changed).length > 0) answer.torrents = changed;
    if (!omitEmpty || removed.length > 0) answer.torrents_removed = removed;
    if (!omitEmpty || Object.keys(serverState).length > 0) answer.server_state = serverState;
    return answer;
  }

  /**
   * Renames a file (WebAPI 2.8.0+: `oldPath`, `newPath`, relative to the save path). As on the real
   * qBittorrent, nothing of the torrent's listing moves, except `content_path` of a single-file
   * torrent, which is its file.
   */
  private renameFile(form: URLSearchParams): Answer {
    const torrent = this.torrents.get((form.get('hash') ?? '').toLowerCase());
    const file = torrent?.files.find((candidate) => candidate.name === form.get('oldPath'));
    const newPath = form.get('newPath') ?? '';
    if (!torrent || !file || newPath === '' || torrent.files.some((f) => f.name === newPath)) {
      return { status: 409, body: 'Conflict' };
    }
    file.name = newPath;
    if (torrent.files.length === 1) torrent.content_path = `${torrent.save_path}/${newPath}`;
    return { status: 200, body: '' };
  }

  private files(hash: string): Answer {
    const torrent = this.torrents.get(hash.toLowerCase());
    if (!torrent) return this.notFound();
    return json(
      torrent.files.map((file, index) => ({
        index,
        name: file.name,
        size: file.size,
        progress: torrent.progress,
        priority: 1,
        is_seed: torrent.progress >= 1,
      })),
    );
  }

  private switchState(form: URLSearchParams, stop: boolean): Answer {
    const stopped = this.spec.stopStart ? 'stopped' : 'paused';
    for (const hash of (form.get('hashes') ?? '').split('|')) {
      const torrent = this.torrents.get(hash.toLowerCase());
      if (!torrent) continue; // qBittorrent answers 200 for a hash it does not hold
      const complete = torrent.progress >= 1;
      torrent.state = stop
        ? `${stopped}${complete ? 'UP' : 'DL'}`
        : complete
          ? 'stalledUP'
          : 'metaDL';
    }
    return { status: 200, body: '' };
  }
}

interface SyncSnapshot {
  torrents: Record<string, Record<string, unknown>>;
  serverState: Record<string, unknown>;
}

function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => before[key] !== value));
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

function json(value: unknown): Answer {
  return { status: 200, body: JSON.stringify(value), contentType: 'application/json' };
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=UTF-8',
  headers: Record<string, string> = {},
): void {
  // Like the real server, a 204 has no body and no content type.
  response.writeHead(
    status,
    status === 204 ? headers : { 'content-type': contentType, ...headers },
  );
  response.end(status === 204 ? undefined : body);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function newTorrent(id: string, hashes: Hashes, link: string, form: URLSearchParams): FakeTorrent {
  const name = new URLSearchParams(link.slice('magnet:?'.length)).get('dn') ?? id;
  const savePath = form.get('savepath') ?? '/downloads';
  return {
    hash: id,
    name,
    state: 'metaDL',
    progress: 0,
    size: 0,
    total_size: 0,
    completed: 0,
    downloaded: 0,
    amount_left: 0,
    dlspeed: 0,
    eta: 8_640_000,
    save_path: savePath,
    content_path: `${savePath}/${name}`,
    category: form.get('category') ?? '',
    // qBittorrent keeps tags as a sorted set and lists them joined by ", " (taken on an add from
    // WebAPI 2.6.2: `newTorrent` is given the form without them before).
    tags: (form.get('tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean)
      .sort()
      .join(', '),
    added_on: Math.floor(Date.now() / 1000),
    completion_on: 0,
    infohash_v1: hashes.v1 ?? '',
    infohash_v2: hashes.v2 ?? '',
    num_seeds: 0,
    num_complete: 0,
    availability: 0,
    last_activity: Math.floor(Date.now() / 1000),
    tracker: '',
    trackers_count: new URLSearchParams(link.slice('magnet:?'.length)).getAll('tr').length,
    files: [],
  };
}

interface Metainfo {
  id: string;
  name: string;
  files: { name: string; size: number }[];
  v1: string;
  v2: string;
}

/** Reads a .torrent as libtorrent 2 does: the id is the v2 hash (truncated) when there is one. */
function readTorrentFile(bytes: Buffer): Metainfo | null {
  let info: Record<string, unknown>;
  try {
    info = (bencode.decode(bytes) as { info: Record<string, unknown> }).info;
  } catch {
    return null;
  }
  if (typeof info !== 'object' || !(info.name instanceof Uint8Array)) return null;
  const name = Buffer.from(info.name).toString('utf8');
  const encoded = bencode.encode(info);
  const v1 =
    info.pieces instanceof Uint8Array ? createHash('sha1').update(encoded).digest('hex') : '';
  const v2 = info['meta version'] === 2 ? createHash('sha256').update(encoded).digest('hex') : '';
  if (!v1 && !v2) return null;
  const files = Array.isArray(info.files)
    ? (info.files as { length: number; path: Uint8Array[] }[]).map((file) => ({
        name: [name, ...file.path.map((part) => Buffer.from(part).toString('utf8'))].join('/'),
        size: file.length,
      }))
    : [{ name, size: typeof info.length === 'number' ? info.length : 0 }];
  return { id: v2 ? v2.slice(0, 40) : v1, name, files, v1, v2 };
}

function newTorrentFromFile(metainfo: Metainfo, form: URLSearchParams): FakeTorrent {
  const size = metainfo.files.reduce((total, file) => total + file.size, 0);
  const savePath = form.get('savepath') ?? '/downloads';
  return {
    ...newTorrent(metainfo.id, {}, `magnet:?dn=${encodeURIComponent(metainfo.name)}`, form),
    state: 'stalledDL',
    size,
    total_size: size,
    amount_left: size,
    content_path: `${savePath}/${metainfo.name}`,
    infohash_v1: metainfo.v1,
    infohash_v2: metainfo.v2,
    files: metainfo.files,
  };
}

interface Hashes {
  v1?: string;
  v2?: string;
}

/**
 * Reads a magnet as qBittorrent does (written apart from the service's parser on purpose): the
 * scheme and the `urn:btih:`/`urn:btmh:` prefixes must be lowercase; the last `xt` of a kind wins.
 */
function hashesOf(link: string, anyCaseKey: boolean): Hashes | null {
  if (!link.startsWith('magnet:?')) return null;
  const hashes: Hashes = {};
  for (const [key, value] of new URLSearchParams(link.slice('magnet:?'.length))) {
    if (!(anyCaseKey ? /^xt(\.\d+)?$/i : /^xt(\.\d+)?$/).test(key)) continue;
    if (value.startsWith('urn:btih:')) {
      const digest = value.slice('urn:btih:'.length);
      if (/^[0-9a-f]{40}$/i.test(digest)) hashes.v1 = digest.toLowerCase();
      else if (/^[a-z2-7]{32}$/i.test(digest)) hashes.v1 = base32ToHex(digest);
      else return null;
    } else if (value.startsWith('urn:btmh:')) {
      const multihash = /^1220([0-9a-f]{64})$/i.exec(value.slice('urn:btmh:'.length));
      if (!multihash) return null;
      hashes.v2 = multihash[1].toLowerCase();
    }
  }
  return hashes.v1 || hashes.v2 ? hashes : null;
}

function base32ToHex(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  let hex = '';
  for (let i = 0; i + 8 <= bits.length; i += 8)
    hex += parseInt(bits.slice(i, i + 8), 2)
      .toString(16)
      .padStart(2, '0');
  return hex;
}
