import { Controller, Get, Query } from '@nestjs/common';
import { ApiErrors } from '../../openapi/api-docs.decorators.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../../openapi/swagger-decorators.js';
import { DOWNLOADS_ROUTES } from '../downloads.routes.js';
import { TORRENT_STATUSES } from '../torrents/torrent-state.js';
import { DownloadStatusService } from './download-status.service.js';
import { StatusQueryDto } from './dto/status-query.dto.js';
import { StatusResponseDto } from './dto/torrent-status.dto.js';

/** GET /downloads: the core service's poll, and a listing for people. */
@ApiTags('downloads')
@ApiErrors({
  500: 'Reading torrents from qBittorrent failed after 3 attempts: qBittorrent answered HTTP 502 to torrents/info',
})
@Controller()
export class DownloadStatusController {
  constructor(private readonly status: DownloadStatusService) {}

  @Get(DOWNLOADS_ROUTES.batch)
  @ApiOperation({
    summary: 'Status of torrents',
    description:
      'Of the given hashes, in request order, each answered with the hash as asked; or of every torrent, filtered.',
  })
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiErrors({ 400: `status must be one of ${TORRENT_STATUSES.join(', ')}` })
  async statuses(@Query() query: StatusQueryDto): Promise<StatusResponseDto> {
    const statuses =
      query.hashes === undefined
        ? await this.status.all(query)
        : await this.status.statuses(query.hashes);
    return { statuses };
  }
}
