import { IsIn, IsOptional, IsString } from 'class-validator';
import { TORRENT_STATUSES, type TorrentStatus } from '../torrent-status.js';

export const MAX_STATUS_HASHES = 1000;

/** The query of GET /downloads. */
export class StatusQueryDto {
  /** Comma-separated info-hashes; without it, every torrent (filtered by the fields below). */
  @IsOptional()
  @IsString({ message: 'hashes must be one comma-separated list' })
  hashes?: string;

  @IsOptional()
  @IsString({ message: 'category must be a string' })
  category?: string;

  @IsOptional()
  @IsString({ message: 'tag must be a string' })
  tag?: string;

  @IsOptional()
  @IsIn(TORRENT_STATUSES, { message: `status must be one of ${TORRENT_STATUSES.join(', ')}` })
  status?: TorrentStatus;
}
