import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';
import { QbittorrentSettings } from './qbittorrent-settings.service.js';
import { WebuiSession } from './webui-session.js';
import { WebuiTransport } from './webui-transport.js';

/** qBittorrent's WebUI: the client over its session and transport, its settings, its health. */
@Module({
  imports: [TerminusModule],
  providers: [
    WebuiTransport,
    WebuiSession,
    QbittorrentClient,
    QbittorrentSettings,
    QbittorrentHealthIndicator,
  ],
  exports: [QbittorrentClient, QbittorrentSettings, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
