import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QbittorrentModule } from '../qbittorrent/qbittorrent.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule, QbittorrentModule],
  controllers: [HealthController],
})
export class HealthModule {}
