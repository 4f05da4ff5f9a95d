import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import type { AppConfig } from '../config/app.config.js';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';
import { QbittorrentInstance, QbittorrentInstanceFactory } from './qbittorrent-instance.js';
import { QbittorrentMetrics } from './qbittorrent.metrics.js';
import { QbittorrentSettings } from './qbittorrent-settings.reader.js';

/**
 * qBittorrent's WebUI: the instance (its client over its session and transport, its settings)
 * built from the configuration, its metrics, its health.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    QbittorrentMetrics,
    QbittorrentInstanceFactory,
    {
      provide: QbittorrentInstance,
      inject: [QbittorrentInstanceFactory, ConfigService],
      useFactory: (factory: QbittorrentInstanceFactory, config: ConfigService<AppConfig, true>) =>
        factory.create(config.get('qbittorrent', { infer: true }).instance),
    },
    {
      provide: QbittorrentClient,
      inject: [QbittorrentInstance],
      useFactory: (instance: QbittorrentInstance) => instance.client,
    },
    {
      provide: QbittorrentSettings,
      inject: [QbittorrentInstance],
      useFactory: (instance: QbittorrentInstance) => instance.settings,
    },
    QbittorrentHealthIndicator,
  ],
  exports: [QbittorrentClient, QbittorrentSettings, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
