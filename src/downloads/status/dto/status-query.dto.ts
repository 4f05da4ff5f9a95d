import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString } from 'class-validator';
import { splitList } from '../../../common/text.js';
import { ApiPropertyOptional } from '../../../openapi/swagger-decorators.js';
import {
  TORRENT_STATES,
  TORRENT_STATUSES,
  type TorrentState,
  type TorrentStatus,
} from '../../torrents/torrent-state.js';

/** The query of GET /downloads. */
export class StatusQueryDto {
  @ApiPropertyOptional({
    type: String,
    description:
      'Comma-separated info-hashes (40 hex, legacy 32 base32, or 64 hex), any number; without it, every torrent (filtered)',
    example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a,dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c',
  })
  @IsOptional()
  // One comma-separated string, read into its entries (blanks dropped, in order); anything else,
  // `hashes` given twice included, is turned into what IsArray refuses.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? splitList(value) : { notOneList: value },
  )
  @IsString({ each: true })
  @IsArray({ message: 'hashes must be one comma-separated list' }) // checked first
  hashes?: string[];

  @ApiPropertyOptional({
    description: 'Only torrents of this category (without hashes)',
    example: 'bangumi',
  })
  @IsOptional()
  @IsString({ message: 'category must be a string' })
  category?: string;

  @ApiPropertyOptional({
    description: 'Only torrents with this tag (without hashes)',
    example: 'link:123',
  })
  @IsOptional()
  @IsString({ message: 'tag must be a string' })
  tag?: string;

  @ApiPropertyOptional({
    enum: TORRENT_STATUSES,
    description: 'Only torrents in this status (without hashes)',
  })
  @IsOptional()
  @IsIn(TORRENT_STATUSES, { message: `status must be one of ${TORRENT_STATUSES.join(', ')}` })
  status?: TorrentStatus;

  @ApiPropertyOptional({
    enum: TORRENT_STATES,
    description: 'Only torrents in this state (without hashes)',
  })
  @IsOptional()
  @IsIn(TORRENT_STATES, { message: `state must be one of ${TORRENT_STATES.join(', ')}` })
  state?: TorrentState;
}
