import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { DownloadController } from './download.controller.js';
import { DownloadService } from './download.service.js';

@Module({
  imports: [QbittorrentModule],
  controllers: [DownloadController],
  providers: [DownloadService],
  exports: [DownloadService],
})
export class DownloadModule {}
