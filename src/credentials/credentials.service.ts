import { Injectable } from '@nestjs/common';
import { QbittorrentAuthError } from '../qbittorrent/qbittorrent.errors.js';
import { QbittorrentClient } from '../qbittorrent/qbittorrent.client.js';
import { CredentialsRefusedError } from './credentials.errors.js';
import type { CredentialsDto, CredentialsResultDto } from './dto/credentials.dto.js';

/** Replaces the qBittorrent credentials at run time, as the core service's CLI does. */
@Injectable()
export class CredentialsService {
  constructor(private readonly client: QbittorrentClient) {}

  /** Kept only if qBittorrent accepts them; in memory only, so a restart returns to the environment's. */
  async replace({ username, password }: CredentialsDto): Promise<CredentialsResultDto> {
    try {
      const version = await this.client.useCredentials({ username, password });
      return { status: 'ok', username, qbittorrent_version: version.app };
    } catch (error) {
      if (error instanceof QbittorrentAuthError) throw new CredentialsRefusedError(error.message);
      throw error;
    }
  }
}
