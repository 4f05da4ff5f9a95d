import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';
import { QbittorrentInstanceFactory } from './qbittorrent-instance.js';
import { QbittorrentMetrics } from './qbittorrent.metrics.js';
import { QbittorrentPool } from './pool/qbittorrent-pool.js';

/**
 * qBittorrent's WebUI: the pool of every qBittorrent the service drives (one or several), each
 * instance built by the factory from its config (its client over its session and transport, its
 * settings, health and view), their metrics, their health.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    QbittorrentMetrics,
    QbittorrentInstanceFactory,
    QbittorrentPool,
    QbittorrentHealthIndicator,
  ],
  exports: [QbittorrentPool, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
