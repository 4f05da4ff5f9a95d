import { Module } from '@nestjs/common';
import { DownloadModule } from '../download/download.module.js';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { DownloadsController } from './downloads.controller.js';
import { DownloadsService } from './downloads.service.js';

@Module({
  imports: [QbittorrentModule, DownloadModule],
  controllers: [DownloadsController],
  providers: [DownloadsService],
})
export class DownloadsModule {}
