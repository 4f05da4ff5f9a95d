import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { DownloadExceptionFilter } from './download-exception.filter.js';
import { DownloadService } from './download.service.js';
import { CreateDownloadDto } from './dto/create-download.dto.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

@Controller('download')
@UseFilters(DownloadExceptionFilter)
export class DownloadController {
  constructor(private readonly downloads: DownloadService) {}

  /** 201 once qBittorrent holds the torrent; 400 for links we will not send; 500 when qBittorrent fails. */
  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@Body() body: CreateDownloadDto): Promise<DownloadResponseDto> {
    const { hash } = await this.downloads.add(body.link_id, body.url, body.toOptions());
    return DownloadResponseDto.accepted(hash);
  }
}
