import { ApiProperty } from '@nestjs/swagger';
import { TORRENT_STATUSES, type TorrentStatus } from '../torrent-status.js';

export class TorrentFileDto {
  @ApiProperty({ example: 'Show - 01.mkv' })
  name!: string;

  @ApiProperty({ example: 2097152 })
  size!: number;

  @ApiProperty({ example: 1, minimum: 0, maximum: 1 })
  progress!: number;
}

/** What GET /downloads reports of one torrent; every field but hash and status is null for not_found. */
export class TorrentStatusDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({ enum: [...TORRENT_STATUSES, 'not_found'], example: 'completed' })
  status!: TorrentStatus | 'not_found';

  @ApiProperty({ type: String, nullable: true, example: 'Show - 01.mkv' })
  name!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 1, description: '0 to 1' })
  progress!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2097152,
    description: 'Bytes selected for download',
  })
  size!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2097152,
    description: "Bytes of the torrent's content we have",
  })
  downloaded!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0, description: 'Bytes per second' })
  dlspeed!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Seconds; null when qBittorrent has no estimate',
  })
  eta!: number | null;

  @ApiProperty({ type: String, nullable: true, example: '/downloads/Show' })
  save_path!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '/downloads/Show/Show - 01.mkv' })
  content_path!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'bangumi' })
  category!: string | null;

  @ApiProperty({ type: [String], nullable: true, example: ['link:123', 's01'] })
  tags!: string[] | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 123,
    description: 'From the tag `link:<id>`',
  })
  link_id!: number | null;

  @ApiProperty({
    type: () => [TorrentFileDto],
    nullable: true,
    description: "qBittorrent's file list, for completed torrents; null otherwise",
  })
  files!: TorrentFileDto[] | null;
}

export class StatusResponseDto {
  @ApiProperty({
    type: () => [TorrentStatusDto],
    description: 'In request order when hashes were given',
  })
  statuses!: TorrentStatusDto[];
}

export class SwitchResultDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({
    enum: [...TORRENT_STATUSES, 'not_found'],
    example: 'paused',
    description: 'The status reached',
  })
  status!: TorrentStatus | 'not_found';
}

export class DeleteResultDto {
  @ApiProperty({ example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a' })
  hash!: string;

  @ApiProperty({ enum: ['deleted'] })
  status!: 'deleted';

  @ApiProperty({ example: false })
  delete_files!: boolean;
}
