import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { RequestBodyError } from '../../common/common.errors.js';
import { ApiErrors } from '../../openapi/api-docs.decorators.js';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '../../openapi/swagger-decorators.js';
import { INFO_HASH_FORMS } from '../../qbittorrent/identity/info-hash.js';
import { invalidHashParameter, TorrentNotFoundError } from '../downloads.errors.js';
import { MAX_BATCH_BODY_BYTES, MAX_CANCEL_HASHES } from '../downloads.limits.js';
import { DOWNLOADS_ROUTES } from '../downloads.routes.js';
import { CancelDownloadsDto, CancelResponseDto } from './dto/cancel-downloads.dto.js';
import { DeleteQueryDto } from './dto/delete-query.dto.js';
import { DeleteResultDto, SwitchResultDto } from './dto/torrent-switch.dto.js';
import { ParseInfoHashPipe } from './info-hash.pipe.js';
import { TorrentControlService } from './torrent-control.service.js';

const EXAMPLE_HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const HASH = { name: 'hash', description: `Info-hash: ${INFO_HASH_FORMS}`, example: EXAMPLE_HASH };
const BATCH_TOO_LARGE = RequestBodyError.tooLarge(MAX_BATCH_BODY_BYTES).message;
const NOT_A_HASH = invalidHashParameter().message;
const NOT_HELD = new TorrentNotFoundError(EXAMPLE_HASH).message;

/** What the core and a person do to torrents already added: pause, resume, delete, cancel. */
@ApiTags('downloads')
@ApiErrors({
  500: 'Reading torrents from qBittorrent failed after 3 attempts: qBittorrent answered HTTP 502 to torrents/info',
})
@Controller()
export class TorrentControlController {
  constructor(private readonly control: TorrentControlService) {}

  @Post(DOWNLOADS_ROUTES.cancel)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Remove torrents, keeping their files' })
  @ApiOkResponse({ type: CancelResponseDto })
  @ApiErrors({
    400: `hashes must be a list of 1 to ${MAX_CANCEL_HASHES} info-hashes`,
    413: BATCH_TOO_LARGE,
  })
  async cancel(@Body() body: CancelDownloadsDto): Promise<CancelResponseDto> {
    return { results: await this.control.cancel(body.hashes) };
  }

  @Post(DOWNLOADS_ROUTES.pause)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pause a torrent',
    description: 'Answers once qBittorrent shows the change (at most 3 s).',
  })
  @ApiParam(HASH)
  @ApiOkResponse({ type: SwitchResultDto })
  @ApiErrors({ 400: NOT_A_HASH, 404: NOT_HELD })
  pause(@Param('hash', ParseInfoHashPipe) hash: string): Promise<SwitchResultDto> {
    return this.control.pause(hash);
  }

  @Post(DOWNLOADS_ROUTES.resume)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Resume a torrent',
    description: 'Answers once qBittorrent shows the change (at most 3 s).',
  })
  @ApiParam(HASH)
  @ApiOkResponse({ type: SwitchResultDto })
  @ApiErrors({ 400: NOT_A_HASH, 404: NOT_HELD })
  resume(@Param('hash', ParseInfoHashPipe) hash: string): Promise<SwitchResultDto> {
    return this.control.resume(hash);
  }

  @Delete(DOWNLOADS_ROUTES.one)
  @ApiOperation({ summary: 'Delete a torrent, and its files with delete_files=true' })
  @ApiParam(HASH)
  @ApiOkResponse({ type: DeleteResultDto })
  @ApiErrors({ 400: 'delete_files must be true or false', 404: NOT_HELD })
  remove(
    @Param('hash', ParseInfoHashPipe) hash: string,
    @Query() query: DeleteQueryDto,
  ): Promise<DeleteResultDto> {
    return this.control.delete(hash, query.delete_files === 'true');
  }
}
