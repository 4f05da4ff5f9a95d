import { IsDefined, IsOptional, IsString } from 'class-validator';
import { IsListOf, IsPositiveSafeInteger } from '../../common/validators.js';
import { AddOptionsDto } from '../../download/dto/add-options.dto.js';

export const MAX_BATCH_ITEMS = 100;

/** The body of POST /downloads. Each item is checked on its own: one bad item fails alone. */
export class AddDownloadsDto {
  @IsDefined({ message: 'items is required' })
  @IsListOf(1, MAX_BATCH_ITEMS, 'downloads')
  items!: unknown[];
}

/** One item of POST /downloads: POST /download's body with an optional link_id. */
export class DownloadItemDto extends AddOptionsDto {
  @IsDefined({ message: 'url is required' })
  @IsString({ message: 'url must be a string' })
  url!: string;

  @IsOptional()
  @IsPositiveSafeInteger()
  link_id?: number;
}

export interface DownloadItemResult {
  /** The item's url as given (null when it was not a string). */
  url: string | null;
  hash: string | null;
  status: 'accepted' | 'failed';
  reason: string | null;
}
