import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TorrentFetcher } from './torrent-fetcher.js';

@Module({
  imports: [HttpModule],
  providers: [TorrentFetcher],
  exports: [TorrentFetcher],
})
export class TorrentFileModule {}
