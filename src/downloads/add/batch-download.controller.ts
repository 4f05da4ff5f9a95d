import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { RequestBodyError } from '../../common/common.errors.js';
import { ApiErrors } from '../../openapi/api-docs.decorators.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '../../openapi/swagger-decorators.js';
import { BATCH_DEADLINE_MS, MAX_BATCH_BODY_BYTES, MAX_BATCH_ITEMS } from '../downloads.limits.js';
import { DOWNLOADS_ROUTES } from '../downloads.routes.js';
import { DownloadAdder } from './download-adder.js';
import {
  AddDownloadsDto,
  AddDownloadsResponseDto,
  parseBatchItem,
} from './dto/add-downloads.dto.js';

/** POST /downloads: the core service's dispatch, many links at once. */
@ApiTags('downloads')
@ApiErrors({
  500: 'Reading torrents from qBittorrent failed after 3 attempts: qBittorrent answered HTTP 502 to torrents/info',
})
@Controller()
export class BatchDownloadController {
  constructor(private readonly adder: DownloadAdder) {}

  @Post(DOWNLOADS_ROUTES.batch)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: `Add up to ${MAX_BATCH_ITEMS} magnet links or .torrent URLs`,
    description: `One bad item never fails the others; the answer comes within ${BATCH_DEADLINE_MS / 1000} s.`,
  })
  @ApiOkResponse({ type: AddDownloadsResponseDto })
  @ApiErrors({
    400: `items must be a list of 1 to ${MAX_BATCH_ITEMS} downloads`,
    413: RequestBodyError.tooLarge(MAX_BATCH_BODY_BYTES).message,
  })
  async addMany(@Body() body: AddDownloadsDto): Promise<AddDownloadsResponseDto> {
    // Each item is read and validated here, on its own: one bad item fails alone.
    const items = await Promise.all(body.items.map(parseBatchItem));
    return { results: await this.adder.addMany(items) };
  }
}
