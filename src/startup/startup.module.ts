import { Module } from '@nestjs/common';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { RegistrationModule } from '../registration/registration.module.js';
import { StartupService } from './startup.service.js';

@Module({
  imports: [QbittorrentModule, RegistrationModule],
  providers: [StartupService],
})
export class StartupModule {}
