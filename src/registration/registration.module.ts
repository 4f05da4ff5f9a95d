import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { RegistrationService } from './registration.service.js';

@Module({
  imports: [HttpModule, QbittorrentModule],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
