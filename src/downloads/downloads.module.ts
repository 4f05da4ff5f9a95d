import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { RetryModule } from '../retry/retry.module.js';
import { TorrentFileModule } from '../torrent-file/torrent-file.module.js';
import { DownloadController } from './download.controller.js';
import { DownloadsController } from './downloads.controller.js';
import { DownloadsService } from './downloads.service.js';

/** Downloads: the seed's POST /download and the management routes, over one service. */
@Module({
  imports: [QbittorrentModule, RetryModule, TorrentFileModule],
  controllers: [DownloadController, DownloadsController],
  providers: [DownloadsService],
})
export class DownloadsModule {}
