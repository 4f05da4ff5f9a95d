import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional } from 'class-validator';
import { IsListOf, IsPositiveSafeInteger } from '../../common/validators.js';
import type { DownloadLink } from '../download-link.js';
import { AddOptionsDto } from './add-options.dto.js';
import { DownloadLinkField } from './download-link.field.js';
import { MAX_BATCH_ITEMS } from '../downloads.limits.js';

/** One item of POST /downloads: POST /download's body with an optional link_id. */
export class DownloadItemDto extends AddOptionsDto {
  @DownloadLinkField('magnet:?xt=urn:btih:dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c')
  url!: DownloadLink;

  @ApiPropertyOptional({
    example: 3,
    minimum: 1,
    description: 'Recorded on the torrent as the tag `link:<id>`',
  })
  @IsOptional()
  @IsPositiveSafeInteger()
  link_id?: number;
}

/** The body of POST /downloads. Each item is checked on its own: one bad item fails alone. */
export class AddDownloadsDto {
  @ApiProperty({ type: () => [DownloadItemDto], minItems: 1, maxItems: MAX_BATCH_ITEMS })
  @IsDefined({ message: 'items is required' })
  @IsListOf(1, MAX_BATCH_ITEMS, 'downloads')
  items!: unknown[];
}

export class DownloadItemResultDto {
  @ApiProperty({ description: "The item's url as given (empty when it was not a string)" })
  url!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c',
  })
  hash!: string | null;

  @ApiProperty({ enum: ['accepted', 'failed'] })
  status!: 'accepted' | 'failed';

  @ApiProperty({ type: String, nullable: true, description: 'Why the item failed', example: null })
  reason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Accepted, but likely to go nowhere (a magnet without trackers while DHT is off)',
    example: null,
  })
  warning!: string | null;
}

export class AddDownloadsResponseDto {
  @ApiProperty({
    type: () => [DownloadItemResultDto],
    description: 'One result per item, in request order',
  })
  results!: DownloadItemResultDto[];
}
