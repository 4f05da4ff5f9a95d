import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '../openapi/swagger-decorators.js';
import { MAX_BODY_BYTES } from '../common/request-body.js';
import { ApiErrors, type ErrorShape, ApiProtected } from '../openapi/api-docs.decorators.js';
import { DownloadExceptionFilter } from './download-exception.filter.js';
import { UNSUPPORTED_LINK } from './download-link.js';
import { DownloadFailedError, isUnsupported } from './download-outcome.js';
import { DownloadAdder } from './download-adder.js';
import { CreateDownloadDto } from './dto/create-download.dto.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

/** POST /download answers every failure in its three fields too. */
const threeFields: ErrorShape = (error, status) => ({
  type: DownloadResponseDto,
  example: { status: isUnsupported(status) ? 'unsupported' : 'error', hash: null, error },
});

/** The Rust service's route: one link, answered `accepted`, `unsupported` or `error`. */
@ApiTags('download')
@ApiProtected(threeFields)
@Controller('download')
@UseFilters(DownloadExceptionFilter)
export class SingleDownloadController {
  constructor(private readonly adder: DownloadAdder) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Add a torrent from a magnet link or a .torrent URL',
    description:
      'Answers once qBittorrent holds the torrent, also when it already did. A .torrent URL is fetched by the service. Transient failures are retried.',
  })
  @ApiCreatedResponse({
    type: DownloadResponseDto,
    example: { status: 'accepted', hash: 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a', error: null },
  })
  @ApiErrors(
    {
      400: UNSUPPORTED_LINK,
      413: `request body is larger than ${MAX_BODY_BYTES} bytes`,
      500: 'Adding torrent c12fe1c06bba254a9dc9f519b335aa7c1367a88a to qBittorrent failed after 3 attempts: qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
      502: 'Fetching https://mikanani.me/Download/20260101/abc.torrent failed after 3 attempts: fetching https://mikanani.me/Download/20260101/abc.torrent failed: the server answered HTTP 503',
    },
    threeFields,
  )
  async create(@Body() body: CreateDownloadDto): Promise<DownloadResponseDto> {
    const outcome = await this.adder.add(body.link_id, body.url, body.toOptions());
    if (outcome.status !== 'accepted') throw new DownloadFailedError(outcome);
    return DownloadResponseDto.accepted(outcome.hash);
  }
}
