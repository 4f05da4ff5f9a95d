import { ApiProperty } from '../../../openapi/swagger-decorators.js';
import {
  TORRENT_STATES,
  TORRENT_STATUSES,
  type TorrentState,
  type TorrentStatus,
} from '../../torrents/torrent-state.js';

/** The answer of POST /downloads/:hash/pause and …/resume. */
export class SwitchResultDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({ enum: [...TORRENT_STATUSES, 'not_found'], example: 'paused' })
  status!: TorrentStatus | 'not_found';

  @ApiProperty({
    enum: [...TORRENT_STATES, 'not_found'],
    example: 'paused',
    description: 'The state reached',
  })
  state!: TorrentState | 'not_found';
}

/** The answer of DELETE /downloads/:hash. */
export class DeleteResultDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({ enum: ['deleted'] })
  status!: 'deleted';

  @ApiProperty({ example: false })
  delete_files!: boolean;
}
