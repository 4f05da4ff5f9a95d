import { ApiProperty, ApiPropertyOptional } from '../../../openapi/swagger-decorators.js';
import { plainToInstance } from 'class-transformer';
import { IsDefined, IsOptional, validate } from 'class-validator';
import { InvalidRequestError } from '../../../common/common.errors.js';
import { IsListOf, IsPositiveSafeInteger } from '../../../common/validators.js';
import type { AddOptions } from '../../../qbittorrent/wire/qbittorrent.types.js';
import type { DownloadLink } from '../download-link.js';
import type { DownloadOutcome } from '../download-outcome.js';
import { AddOptionsDto } from './add-options.dto.js';
import { DownloadLinkField } from './download-link.field.js';
import { MAX_BATCH_ITEMS } from '../../downloads.limits.js';

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

/** One item of a batch, read: its link and options, or why it is refused. */
export type BatchItem =
  | { url: string; linkId?: number; link: DownloadLink; options: AddOptions }
  | { url: string; linkId?: number; refused: InvalidRequestError };

/**
 * Reads and validates one batch item as POST /download's body is: a bad item is refused alone,
 * with its url (empty when it is not a string) and link_id (when it is a number) for its result.
 */
export async function parseBatchItem(raw: unknown): Promise<BatchItem> {
  const record =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : null;
  const url = typeof record?.url === 'string' ? record.url : '';
  const linkId = typeof record?.link_id === 'number' ? record.link_id : undefined;
  if (record === null) {
    return { url, linkId, refused: new InvalidRequestError('item must be a JSON object') };
  }
  const item = plainToInstance(DownloadItemDto, record);
  const errors = await validate(item, {
    whitelist: true,
    stopAtFirstError: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) {
    return { url, linkId, refused: InvalidRequestError.fromValidation(errors) };
  }
  return { url, linkId: item.link_id, link: item.url, options: item.toOptions() };
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

/** The result of one batch item, from its url as given and its outcome. */
export function toItemResult(url: string, outcome: DownloadOutcome): DownloadItemResultDto {
  return outcome.status === 'accepted'
    ? {
        url,
        hash: outcome.hash,
        status: 'accepted',
        reason: null,
        warning: outcome.warning ?? null,
      }
    : { url, hash: outcome.hash, status: 'failed', reason: outcome.error, warning: null };
}
