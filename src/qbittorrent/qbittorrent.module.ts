import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RetryModule } from '../retry/retry.module.js';
import { QbittorrentInstanceFactory } from './instance/qbittorrent-instance.js';
import { PoolMetrics } from './pool/pool.metrics.js';
import { QbittorrentHealthIndicator } from './pool/pool.health.js';
import { QbittorrentPool } from './pool/qbittorrent-pool.js';
import { QbittorrentMetrics } from './wire/qbittorrent.metrics.js';

/**
 * qBittorrent's WebUI, in layers: the wire (transport, session, dialect, client), torrent identity
 * (magnet links, info-hashes), the instance (its client and settings, built by the factory from
 * its config) and the pool of every qBittorrent the service drives, one or several, which the rest
 * of the service goes through. Also their metrics and readiness.
 */
@Module({
  imports: [TerminusModule, RetryModule],
  providers: [
    QbittorrentMetrics,
    QbittorrentInstanceFactory,
    PoolMetrics,
    QbittorrentPool,
    QbittorrentHealthIndicator,
  ],
  exports: [QbittorrentPool, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
