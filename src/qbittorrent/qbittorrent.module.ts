import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';

@Module({
  imports: [HttpModule, TerminusModule],
  providers: [QbittorrentClient, QbittorrentHealthIndicator],
  exports: [QbittorrentClient, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
