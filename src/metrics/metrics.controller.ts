import { Controller, Get, Res, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '../openapi/swagger-decorators.js';
import type { Response } from 'express';
import { ApiExceptionFilter } from '../common/api-exception.filter.js';
import { ApiProtected } from '../openapi/api-docs.decorators.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@ApiProtected()
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
  async scrape(@Res() response: Response): Promise<void> {
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
