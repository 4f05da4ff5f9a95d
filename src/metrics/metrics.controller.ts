import { Controller, Get, Res, UseFilters } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiExceptionFilter } from '../common/api-exception.filter.js';
import { ErrorResponseDto } from '../common/error-response.dto.js';
import { API_TOKEN_SCHEME } from '../openapi/openapi.constants.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@ApiBearerAuth(API_TOKEN_SCHEME)
@UseFilters(ApiExceptionFilter)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: { type: 'string', example: 'downloader_downloads_total{outcome="accepted"} 42' },
  })
  @ApiUnauthorizedResponse({ description: 'With API_TOKEN set', type: ErrorResponseDto })
  async scrape(@Res() response: Response): Promise<void> {
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
