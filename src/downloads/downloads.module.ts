import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { RetryModule } from '../retry/retry.module.js';
import { TorrentFileModule } from '../torrent-file/torrent-file.module.js';
import { AddConfirmation } from './add/add-confirmation.js';
import { AddSending } from './add/add-sending.js';
import { BatchDownloadController } from './add/batch-download.controller.js';
import { DownloadAdder } from './add/download-adder.js';
import { DownloadOutcomeRecorder } from './add/download-outcome.recorder.js';
import { DuplicateSettlement } from './add/duplicate-settlement.js';
import { DuplicateSweep } from './add/duplicate-sweep.js';
import { PersistenceGuard } from './add/persistence-guard.js';
import { SingleDownloadController } from './add/single-download.controller.js';
import { TorrentControlController } from './control/torrent-control.controller.js';
import { TorrentControlService } from './control/torrent-control.service.js';
import { DownloadStatusController } from './status/download-status.controller.js';
import { DownloadStatusService } from './status/download-status.service.js';
import { IncomingAdds } from './torrents/incoming-adds.js';
import { TorrentRepository } from './torrents/torrent.repository.js';

/**
 * Downloads: POST /download and the management routes, in three jobs over one repository.
 * - add/: sending, confirming, settling duplicates and saving, stage by stage (DownloadAdder);
 * - status/: what GET /downloads answers, in the core's types;
 * - control/: pause, resume, delete, cancel;
 * - torrents/: TorrentRepository, the only way to the qBittorrents (through the pool).
 */
@Module({
  imports: [QbittorrentModule, RetryModule, TorrentFileModule],
  controllers: [
    SingleDownloadController,
    BatchDownloadController,
    DownloadStatusController,
    TorrentControlController,
  ],
  exports: [IncomingAdds],
  providers: [
    IncomingAdds,
    TorrentRepository,
    AddSending,
    AddConfirmation,
    DuplicateSettlement,
    DuplicateSweep,
    PersistenceGuard,
    DownloadOutcomeRecorder,
    DownloadAdder,
    DownloadStatusService,
    TorrentControlService,
  ],
})
export class DownloadsModule {}
