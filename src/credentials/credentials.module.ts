import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { CredentialsController } from './credentials.controller.js';
import { CredentialsService } from './credentials.service.js';

@Module({
  imports: [QbittorrentModule],
  controllers: [CredentialsController],
  providers: [CredentialsService],
})
export class CredentialsModule {}
