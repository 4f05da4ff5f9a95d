import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { TorrentFileModule } from '../torrent-file/torrent-file.module.js';
import { DownloadController } from './download.controller.js';
import { DownloadService } from './download.service.js';

@Module({
  imports: [QbittorrentModule, TorrentFileModule],
  controllers: [DownloadController],
  providers: [DownloadService],
  exports: [DownloadService],
})
export class DownloadModule {}
