import { ApiProperty } from '../../../openapi/swagger-decorators.js';
import { IsDefined } from 'class-validator';
import { IsListOf } from '../../../common/validators.js';
import { MAX_CANCEL_HASHES } from '../../downloads.limits.js';

/** The body of POST /downloads/cancel. */
export class CancelDownloadsDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_CANCEL_HASHES,
    example: ['c12fe1c06bba254a9dc9f519b335aa7c1367a88a'],
  })
  @IsDefined({ message: 'hashes is required' })
  @IsListOf(1, MAX_CANCEL_HASHES, 'info-hashes')
  hashes!: unknown[];
}

export class CancelResultDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({ enum: ['cancelled', 'not_found', 'failed'] })
  status!: 'cancelled' | 'not_found' | 'failed';

  @ApiProperty({ type: String, nullable: true, example: null })
  reason!: string | null;
}

export class CancelResponseDto {
  @ApiProperty({
    type: () => [CancelResultDto],
    description: 'One result per hash, in request order',
  })
  results!: CancelResultDto[];
}
