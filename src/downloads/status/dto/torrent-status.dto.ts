import { ApiProperty } from '../../../openapi/swagger-decorators.js';
import {
  TORRENT_STATES,
  TORRENT_STATUSES,
  type TorrentState,
  type TorrentStatus,
} from '../../torrents/torrent-state.js';
import type { TorrentStatusView, UnlistedStatus } from '../torrent-status.js';

/**
 * What GET /downloads reports of one torrent. The first six fields are what the core service
 * reads, with types it decodes strictly: never null where it expects a number, string or list.
 */
export class TorrentStatusDto implements TorrentStatusView {
  @ApiProperty({
    example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a',
    description:
      "The hash as asked for (so the caller finds its entry); qBittorrent's id when listing",
  })
  hash!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a',
    description: "qBittorrent's id (40 lowercase hex); null for an entry that is not a hash",
  })
  info_hash!: string | null;

  @ApiProperty({
    enum: [...TORRENT_STATUSES, 'not_found', 'unavailable'],
    example: 'completed',
    description:
      'downloading (also metadata, queued, checking, moving), completed, paused, error; unavailable: it may be on a qBittorrent that cannot be asked now (keep polling)',
  })
  status!: TorrentStatus | UnlistedStatus;

  @ApiProperty({ enum: [...TORRENT_STATES, 'not_found', 'unavailable'], example: 'completed' })
  state!: TorrentState | UnlistedStatus;

  @ApiProperty({
    example: 1,
    minimum: 0,
    maximum: 1,
    description: '0 for not_found and unavailable',
  })
  progress!: number;

  @ApiProperty({ example: 2097152, minimum: 0, description: 'Bytes selected; 0 when unknown' })
  size!: number;

  @ApiProperty({ type: String, nullable: true, example: '/downloads/Show/Show - 01.mkv' })
  content_path!: string | null;

  @ApiProperty({
    type: [String],
    example: ['/downloads/Show/Show - 01.mkv'],
    description:
      'Absolute paths of the files, all under content_path; [] until the metadata is known',
  })
  files!: string[];

  @ApiProperty({ type: String, nullable: true, example: 'Show - 01.mkv' })
  name!: string | null;

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
    type: Number,
    nullable: true,
    example: 12,
    description: 'Seeds: connected, or in the swarm as trackers report, whichever is more',
  })
  seeds!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1.5,
    description: 'Distributed copies among the peers connected to; below 1, no complete copy',
  })
  availability!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'ISO time since when it waits for peers (stalled or without metadata), from the last piece moved; null otherwise',
  })
  stalled_since!: string | null;

  @ApiProperty({
    example: false,
    description:
      'Stalled for DEAD_TORRENT_AFTER_S without metadata or seeds: the core may pick another release',
  })
  dead!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'Why an asked-for entry is not a hash (then status is not_found), or which qBittorrent cannot be asked (unavailable)',
  })
  reason!: string | null;
}

export class StatusResponseDto {
  @ApiProperty({
    type: () => [TorrentStatusDto],
    description: 'In request order when hashes were given',
  })
  statuses!: TorrentStatusDto[];
}
