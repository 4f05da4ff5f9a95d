import { Injectable } from '@nestjs/common';
import type { QbittorrentCredentials } from '../config/app.config.js';
import { InstanceHealth } from './pool/instance-health.js';
import { InstanceView } from './pool/instance-view.js';
import { QbittorrentClient } from './qbittorrent.client.js';
import { isInstanceOutage } from './qbittorrent.errors.js';
import { QbittorrentMetrics } from './qbittorrent.metrics.js';
import { QbittorrentSettings } from './qbittorrent-settings.reader.js';
import { WebuiSession } from './webui-session.js';
import { WebuiTransport } from './webui-transport.js';

/** What one qBittorrent is, for the classes that talk to it: read from the environment once. */
export interface QbittorrentInstanceConfig {
  /** The WebUI base URL, without credentials or a trailing slash. */
  url: string;
  /** `host:port`: how logs, metrics and readiness name it (never with its credentials). */
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
}

/**
 * One qBittorrent: its WebUI client over its own session and transport, its settings, its health
 * and (with several) its view of what it holds and how much room it has. Built by
 * QbittorrentInstanceFactory from its config, never from ConfigService, so that tests and any
 * number of instances build it the same way.
 */
export class QbittorrentInstance {
  readonly health = new InstanceHealth();
  readonly view = new InstanceView();

  constructor(
    readonly config: QbittorrentInstanceConfig,
    readonly transport: WebuiTransport,
    readonly session: WebuiSession,
    readonly client: QbittorrentClient,
    readonly settings: QbittorrentSettings,
  ) {}

  get label(): string {
    return this.config.label;
  }

  /**
   * Runs a call on this qBittorrent, noting how it went: a failure of the instance as a whole
   * marks it down, any answer marks it up.
   */
  async call<T>(work: (client: QbittorrentClient) => Promise<T>): Promise<T> {
    try {
      const result = await work(this.client);
      this.health.markUp();
      return result;
    } catch (error) {
      if (isInstanceOutage(error)) this.health.markDown((error as Error).message);
      else this.health.markUp();
      throw error;
    }
  }

  /** Closes its connections; after the HTTP server has finished the requests that use them. */
  close(): void {
    this.transport.close();
  }
}

/** Builds a qBittorrent instance, its layers wired, from its config. */
@Injectable()
export class QbittorrentInstanceFactory {
  constructor(private readonly metrics: QbittorrentMetrics) {}

  create(config: QbittorrentInstanceConfig): QbittorrentInstance {
    const transport = new WebuiTransport(config, this.metrics);
    const session = new WebuiSession(transport, config, this.metrics);
    const client = new QbittorrentClient(session, transport);
    return new QbittorrentInstance(
      config,
      transport,
      session,
      client,
      new QbittorrentSettings(client),
    );
  }
}

/** `host:port` of a WebUI URL, its default port included: what names an instance. */
export function instanceLabel(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}
