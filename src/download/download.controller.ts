import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiInternalServerErrorResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { API_TOKEN_SCHEME } from '../openapi/openapi.constants.js';
import { DownloadExceptionFilter } from './download-exception.filter.js';
import { parseDownloadLink } from './download-link.js';
import { DownloadService } from './download.service.js';
import { CreateDownloadDto } from './dto/create-download.dto.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

const refused = (error: string, status: 'unsupported' | 'error' = 'unsupported') => ({
  type: DownloadResponseDto,
  example: { status, hash: null, error },
});

@ApiTags('download')
@ApiBearerAuth(API_TOKEN_SCHEME)
@Controller('download')
@UseFilters(DownloadExceptionFilter)
export class DownloadController {
  constructor(private readonly downloads: DownloadService) {}

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
  @ApiBadRequestResponse({
    description: 'Nothing was sent to qBittorrent',
    ...refused('Only magnet links supported'),
  })
  @ApiPayloadTooLargeResponse(refused('request body is larger than 65536 bytes'))
  @ApiBadGatewayResponse(
    refused(
      'Fetching https://mikanani.me/Download/20260101/abc.torrent failed after 3 attempts: fetching https://mikanani.me/Download/20260101/abc.torrent failed: the server answered HTTP 503',
      'error',
    ),
  )
  @ApiUnauthorizedResponse({
    description: 'With API_TOKEN set',
    ...refused('invalid bearer token', 'error'),
  })
  @ApiInternalServerErrorResponse(
    refused(
      'Adding torrent c12fe1c06bba254a9dc9f519b335aa7c1367a88a to qBittorrent failed after 3 attempts: qBittorrent at http://qbittorrent:8080 is unreachable (ECONNREFUSED)',
      'error',
    ),
  )
  async create(@Body() body: CreateDownloadDto): Promise<DownloadResponseDto> {
    const link = parseDownloadLink(body.url);
    const { hash } = await this.downloads.add(body.link_id, link, body.toOptions());
    return DownloadResponseDto.accepted(hash);
  }
}
