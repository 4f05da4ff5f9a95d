import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { TorrentMetrics } from './torrent.metrics.js';

/**
 * What /metrics tells of the torrents themselves, for alerts and the dashboard (deploy/monitoring):
 * counted from the pool's views when scraped. The rest of the service's metrics are declared
 * beside what they count.
 */
@Module({
  imports: [QbittorrentModule],
  providers: [TorrentMetrics],
})
export class MonitoringModule {}
