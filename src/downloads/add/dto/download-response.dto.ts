import { ApiProperty } from '../../../openapi/swagger-decorators.js';

import type { DownloadStatus } from '../download-outcome.js';

/** Every answer of POST /download has exactly these three fields. */
export class DownloadResponseDto {
  @ApiProperty({ enum: ['accepted', 'unsupported', 'error'], example: 'accepted' })
  status!: DownloadStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The torrent id qBittorrent uses (40 lowercase hex), on success',
    example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a',
  })
  hash!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What went wrong, otherwise',
    example: null,
  })
  error!: string | null;

  static accepted(hash: string): DownloadResponseDto {
    return { status: 'accepted', hash, error: null };
  }

  static failed(status: 'unsupported' | 'error', error: string): DownloadResponseDto {
    return { status, hash: null, error };
  }
}
