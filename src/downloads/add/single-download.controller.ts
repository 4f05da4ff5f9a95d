import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { UnauthorizedError } from '../../auth/auth.errors.js';
import { RequestBodyError } from '../../common/common.errors.js';
import { MAX_BODY_BYTES } from '../../common/request-body.js';
import { ApiErrors, type ErrorShape } from '../../openapi/api-docs.decorators.js';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '../../openapi/swagger-decorators.js';
import { DownloadAdder } from './download-adder.js';
import { DownloadExceptionFilter } from './download-exception.filter.js';
import { isUnsupported } from './download-outcome.js';
import { DownloadFailedError, UNSUPPORTED_LINK } from '../downloads.errors.js';
import { DOWNLOADS_ROUTES } from '../downloads.routes.js';
import { CreateDownloadDto } from './dto/create-download.dto.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

/** POST /download answers every failure in its three fields too. */
const threeFields: ErrorShape = (error, status) => ({
  type: DownloadResponseDto,
  example: { status: isUnsupported(status) ? 'unsupported' : 'error', hash: null, error },
});

/**
 * The Rust service's route: one link, answered `accepted`, `unsupported` or `error`. The one route
 * whose failures are not `{"error"}`: its own filter words them in its three fields.
 */
@ApiTags('download')
@Controller()
@UseFilters(DownloadExceptionFilter)
export class SingleDownloadController {
  constructor(private readonly adder: DownloadAdder) {}

  @Post(DOWNLOADS_ROUTES.single)
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
      401: UnauthorizedError.invalidToken().message,
      413: RequestBodyError.tooLarge(MAX_BODY_BYTES).message,
      500: 'Adding torrent c12fe1c06bba254a9dc9f519b335aa7c1367a88a to qBittorrent failed after 3 attempts: qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
      502: 'Fetching https://mikanani.me/Download/20260101/abc.torrent failed after 3 attempts: fetching https://mikanani.me/Download/20260101/abc.torrent failed: the server answered HTTP 503',
    },
    threeFields,
  )
  async create(@Body() body: CreateDownloadDto): Promise<DownloadResponseDto> {
    const outcome = await this.adder.add(body.link_id, body.url, body.toOptions());
    if (outcome.status !== 'accepted') {
      throw new DownloadFailedError(outcome.status, outcome.error, outcome.httpStatus);
    }
    return DownloadResponseDto.accepted(outcome.hash);
  }
}
