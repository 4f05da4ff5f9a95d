import { Injectable } from '@nestjs/common';
import { QbittorrentPool } from '../qbittorrent/pool/qbittorrent-pool.js';
import type { QbittorrentInstance } from '../qbittorrent/instance/qbittorrent-instance.js';
import { isInstanceOutage, QbittorrentAuthError } from '../qbittorrent/wire/qbittorrent.errors.js';
import type { Session } from '../qbittorrent/wire/webui-session.js';
import { CredentialsRefusedError, NoSharedCredentialsError } from './credentials.errors.js';
import type { CredentialsDto, CredentialsResultDto } from './dto/credentials.dto.js';

/**
 * Replaces the qBittorrent credentials at run time, as the core service's CLI does: those of every
 * qBittorrent that uses QBITTORRENT_USER and QBITTORRENT_PASSWORD (not one with its own in its URL).
 */
@Injectable()
export class CredentialsService {
  constructor(private readonly pool: QbittorrentPool) {}

  /**
   * Kept only if every one of them that can be reached accepts them (one that cannot takes them
   * for its next login); in memory only, so a restart returns to the environment's.
   */
  async replace({ username, password }: CredentialsDto): Promise<CredentialsResultDto> {
    const credentials = { username, password };
    const shared = this.pool.instances.filter((instance) => instance.config.sharedCredentials);
    if (shared.length === 0) throw new NoSharedCredentialsError();
    const tries = await Promise.all(shared.map((instance) => this.attempt(instance, credentials)));
    const refused = tries.find((attempt) => attempt.refused !== undefined);
    if (refused?.refused !== undefined) {
      throw new CredentialsRefusedError(this.named(refused.instance, refused.refused.message));
    }
    const accepted = tries.filter((attempt) => attempt.session !== undefined);
    const unreachable = tries.find((attempt) => attempt.unreachable !== undefined);
    if (accepted.length === 0 && unreachable?.unreachable !== undefined)
      throw unreachable.unreachable;
    for (const attempt of tries)
      attempt.instance.session.keepCredentials(credentials, attempt.session);
    const [first] = accepted;
    return {
      status: 'ok',
      username,
      qbittorrent_version: first.session?.version.app ?? '',
    };
  }

  private async attempt(
    instance: QbittorrentInstance,
    credentials: { username: string; password: string },
  ): Promise<{
    instance: QbittorrentInstance;
    session?: Session;
    refused?: QbittorrentAuthError;
    unreachable?: Error;
  }> {
    try {
      return { instance, session: await instance.session.tryCredentials(credentials) };
    } catch (error) {
      if (error instanceof QbittorrentAuthError) return { instance, refused: error };
      // One that cannot be reached now takes the credentials for its next login, unless none can
      // be reached: then this failure is the answer.
      if (!isInstanceOutage(error)) throw error;
      return { instance, unreachable: error as Error };
    }
  }

  /** The refusal, naming the instance that refused (with one, "qBittorrent" says it). */
  private named(instance: QbittorrentInstance, message: string): string {
    return message.replace(/^qBittorrent /, `${this.pool.nameOf(instance.label)} `);
  }
}
