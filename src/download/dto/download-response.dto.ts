import { ApiProperty } from '@nestjs/swagger';

export type DownloadStatus = 'accepted' | 'unsupported' | 'error';

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

  /** `unsupported` for a request we will not send (400, 413); `error` for anything else. */
  static refused(httpStatus: number, error: string): DownloadResponseDto {
    const unsupported = httpStatus === 400 || httpStatus === 413;
    return { status: unsupported ? 'unsupported' : 'error', hash: null, error };
  }
}
