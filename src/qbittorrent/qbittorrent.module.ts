import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';
import { RetryService } from './retry.service.js';

@Module({
  imports: [HttpModule, TerminusModule],
  providers: [QbittorrentClient, RetryService, QbittorrentHealthIndicator],
  exports: [QbittorrentClient, RetryService, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
