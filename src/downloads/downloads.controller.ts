import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { ApiExceptionFilter } from '../common/api-exception.filter.js';
import { AddDownloadsDto } from './dto/add-downloads.dto.js';
import { CancelDownloadsDto } from './dto/cancel-downloads.dto.js';
import { DeleteQueryDto } from './dto/delete-query.dto.js';
import { StatusQueryDto } from './dto/status-query.dto.js';
import { DownloadsService } from './downloads.service.js';
import { ParseInfoHashPipe } from './info-hash.pipe.js';

@Controller('downloads')
@UseFilters(ApiExceptionFilter)
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  /** Adds up to 100 magnet links; one result per item, in order. */
  @Post()
  @HttpCode(HttpStatus.OK)
  async addMany(@Body() body: AddDownloadsDto) {
    return { results: await this.downloads.addMany(body.items) };
  }

  /** Status of the given hashes (in order), or of every torrent matching the filters. */
  @Get()
  async status(@Query() query: StatusQueryDto) {
    const statuses =
      query.hashes === undefined
        ? await this.downloads.all(query)
        : await this.downloads.statuses(this.downloads.parseHashes(query.hashes));
    return { statuses };
  }

  /** Removes the torrents, keeping their files. */
  @Post('cancel')
  @HttpCode(HttpStatus.OK)
  async cancel(@Body() body: CancelDownloadsDto) {
    return { results: await this.downloads.cancel(body.hashes) };
  }

  @Post(':hash/pause')
  @HttpCode(HttpStatus.OK)
  pause(@Param('hash', ParseInfoHashPipe) hash: string) {
    return this.downloads.pause(hash);
  }

  @Post(':hash/resume')
  @HttpCode(HttpStatus.OK)
  resume(@Param('hash', ParseInfoHashPipe) hash: string) {
    return this.downloads.resume(hash);
  }

  @Delete(':hash')
  remove(@Param('hash', ParseInfoHashPipe) hash: string, @Query() query: DeleteQueryDto) {
    return this.downloads.delete(hash, query.delete_files === 'true');
  }
}
