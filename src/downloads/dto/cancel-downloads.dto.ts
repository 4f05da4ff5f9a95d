import { IsDefined } from 'class-validator';
import { IsListOf } from '../../common/validators.js';
import { MAX_STATUS_HASHES } from './status-query.dto.js';

/** The body of POST /downloads/cancel. */
export class CancelDownloadsDto {
  @IsDefined({ message: 'hashes is required' })
  @IsListOf(1, MAX_STATUS_HASHES, 'info-hashes')
  hashes!: unknown[];
}

export interface CancelResult {
  hash: string;
  status: 'cancelled' | 'not_found' | 'failed';
  reason: string | null;
}
