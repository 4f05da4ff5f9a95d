import { Logger } from '@nestjs/common';
import type { QbittorrentCredentials } from '../../config/qbittorrent-instances.js';
import { splitList } from '../../common/text.js';
import { type TorrentIdentity, torrentIdOn } from '../identity/info-hash.js';
import type { MagnetLink } from '../identity/magnet.js';
import {
  addForm,
  type Dialect,
  expectStatus,
  readAddAnswer,
  readFileList,
  readLibtorrentVersion,
  readPreferences,
  readTorrentList,
  switchPath,
  type WebuiResponse,
} from './dialect.js';
import { type Maindata, readMaindata } from './maindata.js';
import { V2OnlyUnsupportedError } from './qbittorrent.errors.js';
import type {
  AddAnswer,
  AddOptions,
  QbittorrentPreferences,
  QbittorrentVersion,
  TorrentContent,
  TorrentInfo,
  TorrentQuery,
  TorrentUpload,
} from './qbittorrent.types.js';
import { isAtLeast } from './version.js';
import { type Session, WebuiSession } from './webui-session.js';
import { WebuiTransport } from './webui-transport.js';

/**
 * qBittorrent's WebUI API, one method per endpoint, whatever the version: the session logs in
 * (WebuiSession), the transport carries the calls (WebuiTransport), and the dialect builds each
 * version's requests and reads its answers (dialect.ts). Each method makes one attempt; retrying
 * is the caller's choice (see RetryService).
 * @see https://github.com/qbittorrent/qBittorrent/wiki/WebUI-API-(qBittorrent-5.0)
 */
export class QbittorrentClient {
  private readonly logger = new Logger(QbittorrentClient.name);
  private libtorrent: { session: Session; version: string } | null = null;

  constructor(
    private readonly session: WebuiSession,
    private readonly transport: WebuiTransport,
  ) {}

  /** What qBittorrent told of itself at the last login, if any. */
  get version(): QbittorrentVersion | null {
    return this.session.version;
  }

  /** The WebUI address this client talks to. */
  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** Logs in now, replacing any current session, and reads the version. */
  async login(): Promise<QbittorrentVersion> {
    return (await this.session.login()).version;
  }

  /** Logs in with other credentials, kept only if qBittorrent accepts them. */
  async useCredentials(credentials: QbittorrentCredentials): Promise<QbittorrentVersion> {
    return (await this.session.useCredentials(credentials)).version;
  }

  /** `app/version` through the session: proves qBittorrent is reachable and we are in. */
  async getVersion(): Promise<QbittorrentVersion> {
    const response = await this.session.request('app/version');
    expectStatus(response, 'app/version', 200);
    return { app: response.body.trim(), webApi: (await this.session.current()).version.webApi };
  }

  /** `app/preferences`: the settings this service audits. */
  async getPreferences(): Promise<QbittorrentPreferences> {
    return readPreferences(await this.session.request('app/preferences'));
  }

  /**
   * `torrents/add` with a magnet link: whether qBittorrent answered that it added it. It answers
   * a torrent it holds already as it does an invalid one (`Fails.` or 409): the torrent list
   * decides, which is the caller's to read (TorrentRepository).
   * @throws V2OnlyUnsupportedError for a v2-only magnet on libtorrent 1.x, before sending it.
   */
  async addMagnet(magnet: MagnetLink, options: AddOptions = {}): Promise<AddAnswer> {
    const { dialect, id } = await this.prepareAdd(magnet);
    const form = { urls: magnet.url, ...addForm(options, dialect) };
    return this.added(
      await this.session.request('torrents/add', { method: 'POST', form }),
      id,
      options,
      dialect,
    );
  }

  /** `torrents/add` with a .torrent file (multipart field `torrents`), as addMagnet. */
  async addTorrentFile(torrent: TorrentUpload, options: AddOptions = {}): Promise<AddAnswer> {
    const { dialect, id } = await this.prepareAdd(torrent);
    // A FormData is consumed by the request: each attempt (and the replay after a 403) builds its own.
    const response = await this.session.request('torrents/add', {
      method: 'POST',
      multipart: () => {
        const body = new FormData();
        body.append('torrents', new Blob([torrent.bytes]), `${torrent.hash}.torrent`);
        for (const [name, value] of Object.entries(addForm(options, dialect))) {
          body.append(name, value);
        }
        return body;
      },
    });
    return this.added(response, id, options, dialect);
  }

  /** `torrents/info`: the torrents matching a query, however many hashes it names. */
  async getTorrents(query: TorrentQuery): Promise<TorrentInfo[]> {
    const params: Record<string, string> = {};
    if (query.hashes !== undefined) params.hashes = query.hashes.join('|');
    if (query.category !== undefined) params.category = query.category;
    // Before WebAPI 2.8.3 the `tag` filter is ignored: the torrents are filtered here instead.
    const { tag } = query;
    const filterHere = tag !== undefined && !(await this.session.current()).dialect.tagFilter;
    if (tag !== undefined && !filterHere) params.tag = tag;
    const torrents = readTorrentList(
      await this.session.request('torrents/info', { query: params }),
    );
    return filterHere
      ? torrents.filter((torrent) => splitList(torrent.tags).includes(tag))
      : torrents;
  }

  /**
   * `sync/maindata`: what changed since the answer numbered `rid` (0: everything), for the pool's
   * view of free space and torrents. Never asked of a single qBittorrent.
   */
  async getMaindata(rid: number): Promise<Maindata> {
    const query = { rid: String(rid) };
    return readMaindata(await this.session.request('sync/maindata', { query }));
  }

  /** `torrents/files`: the files of a torrent, or `null` when qBittorrent does not hold it. */
  async getFiles(hash: string): Promise<TorrentContent[] | null> {
    return readFileList(await this.session.request('torrents/files', { query: { hash } }));
  }

  /** Pauses (4.x) or stops (5.x) a torrent. qBittorrent answers 200 even for a hash it does not hold. */
  pause(hash: string): Promise<void> {
    return this.switchTorrent(hash, 'stop');
  }

  /** Resumes (4.x) or starts (5.x) a torrent. qBittorrent answers 200 even for a hash it does not hold. */
  resume(hash: string): Promise<void> {
    return this.switchTorrent(hash, 'start');
  }

  /** `torrents/addTags` (qBittorrent answers 200 even for a hash it does not hold). */
  async addTags(hash: string, tags: string[]): Promise<void> {
    const form = { hashes: hash, tags: tags.join(',') };
    const response = await this.session.request('torrents/addTags', { method: 'POST', form });
    expectStatus(response, 'torrents/addTags', 200);
  }

  /** `torrents/delete`: removes torrents in one call, with or without their files. */
  async deleteMany(hashes: string[], deleteFiles: boolean): Promise<void> {
    const form = { hashes: hashes.join('|'), deleteFiles: String(deleteFiles) };
    const response = await this.session.request('torrents/delete', { method: 'POST', form });
    expectStatus(response, 'torrents/delete', 200);
  }

  /**
   * The dialect of the current session and the id this qBittorrent gives the torrent: its v2 hash
   * (truncated) on libtorrent 2, its v1 hash on libtorrent 1.x, which cannot take a v2-only one.
   */
  private async prepareAdd(torrent: TorrentIdentity): Promise<{ dialect: Dialect; id: string }> {
    const session = await this.session.current();
    if (!torrent.v2) return { dialect: session.dialect, id: torrent.hash };
    const libtorrent = await this.libtorrentOf(session);
    const id = torrentIdOn(torrent, isAtLeast(libtorrent, [2]));
    if (id === null)
      throw new V2OnlyUnsupportedError(torrent.hash, session.version.app, libtorrent);
    return { dialect: session.dialect, id };
  }

  /**
   * The libtorrent version qBittorrent runs, read once per session (`app/buildInfo`, WebAPI 2.3.0)
   * and only for a torrent with a v2 hash, whose id depends on it.
   */
  private async libtorrentOf(session: Session): Promise<string> {
    if (this.libtorrent?.session === session) return this.libtorrent.version;
    // Before 4.4.0 qBittorrent ran on libtorrent 1.x only.
    const version = isAtLeast(session.version.app, [4, 4])
      ? readLibtorrentVersion(await this.session.request('app/buildInfo'))
      : '1.x';
    this.libtorrent = { session, version };
    return version;
  }

  private added(
    response: WebuiResponse,
    hash: string,
    options: AddOptions,
    dialect: Dialect,
  ): AddAnswer {
    const answer = readAddAnswer(response, hash);
    if (answer.hash !== hash)
      this.logger.warn(`qBittorrent added ${hash} as ${answer.hash}: reporting its id`);
    const tags = options.tags ?? [];
    if (answer.added && tags.length > 0 && !dialect.tagsOnAdd)
      return { ...answer, tagsLater: tags };
    return answer;
  }

  private async switchTorrent(hash: string, action: 'stop' | 'start'): Promise<void> {
    const { dialect } = await this.session.current();
    let path = switchPath(action, dialect);
    let response = await this.session.request(path, { method: 'POST', form: { hashes: hash } });
    if (response.status === 404) {
      // A build whose WebAPI version misled us: the other name is the one it knows.
      dialect.stopStart = !dialect.stopStart;
      const unknown = path;
      path = switchPath(action, dialect);
      this.logger.warn(`qBittorrent answered 404 to ${unknown}; using ${path} from now on`);
      response = await this.session.request(path, { method: 'POST', form: { hashes: hash } });
    }
    expectStatus(response, path, 200);
  }
}
