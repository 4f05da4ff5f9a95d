import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { RetryModule } from '../retry/retry.module.js';
import { TorrentFileModule } from '../torrent-file/torrent-file.module.js';
import { SingleDownloadController } from './single-download.controller.js';
import { DownloadsController } from './downloads.controller.js';
import { DownloadAdder } from './download-adder.js';
import { DownloadOutcomeRecorder } from './download-outcome.recorder.js';
import { DownloadStatusService } from './download-status.service.js';
import { IncomingAdds } from './incoming-adds.js';
import { TorrentControlService } from './torrent-control.service.js';
import { TorrentRepository } from './torrent.repository.js';

/**
 * Downloads: POST /download and the management routes. Each job has its injectable (adding,
 * statuses, pause/resume/delete/cancel, recording outcomes), all over one TorrentRepository that
 * alone calls qBittorrent.
 */
@Module({
  imports: [QbittorrentModule, RetryModule, TorrentFileModule],
  controllers: [SingleDownloadController, DownloadsController],
  exports: [IncomingAdds],
  providers: [
    IncomingAdds,
    TorrentRepository,
    DownloadOutcomeRecorder,
    DownloadAdder,
    DownloadStatusService,
    TorrentControlService,
  ],
})
export class DownloadsModule {}
