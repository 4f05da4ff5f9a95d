import { Injectable } from '@nestjs/common';
import type { QbittorrentInstanceConfig } from '../../config/qbittorrent-instances.js';
import { QbittorrentClient } from '../wire/qbittorrent.client.js';
import { QbittorrentMetrics } from '../wire/qbittorrent.metrics.js';
import { WebuiSession } from '../wire/webui-session.js';
import { WebuiTransport } from '../wire/webui-transport.js';
import { QbittorrentSettings } from './qbittorrent-settings.reader.js';

/**
 * One qBittorrent: its WebUI client over its own session and transport, and its settings. Built
 * by QbittorrentInstanceFactory from its config, never from ConfigService, so that tests and any
 * number of instances build it the same way. What the service knows of it beyond that (up or down,
 * what it holds, its room) is the pool's.
 */
export class QbittorrentInstance {
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
