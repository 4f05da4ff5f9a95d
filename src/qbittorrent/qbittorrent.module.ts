import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentClient } from './qbittorrent.client.js';
import { QbittorrentHealthIndicator } from './qbittorrent.health.js';
import { QbittorrentSettings } from './qbittorrent-settings.service.js';

@Module({
  imports: [HttpModule, TerminusModule],
  providers: [QbittorrentClient, QbittorrentSettings, QbittorrentHealthIndicator],
  exports: [QbittorrentClient, QbittorrentSettings, QbittorrentHealthIndicator],
})
export class QbittorrentModule {}
