import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from '../common/error-mapping.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { TorrentFetchError } from '../torrent-file/torrent-fetch.error.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

/**
 * Renders every failure of POST /download in its three-field shape. Failures that reached
 * qBittorrent are logged by DownloadService; this logs those refused before and the unexpected.
 */
@Catch()
@Injectable()
export class DownloadExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('DownloadController');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const mapped = mapError(exception);
    if (mapped.unexpected) {
      this.logger.error('POST /download failed unexpectedly', (exception as Error)?.stack);
    } else if ((mapped.status === 400 || mapped.status === 413) && !countedByService(exception)) {
      this.metrics.countDownload('unsupported');
      this.logger.warn(
        `link_id=${linkIdOf(http.getRequest<Request>())} unsupported: ${mapped.message}`,
      );
    }
    http
      .getResponse<Response>()
      .status(mapped.status)
      .json(DownloadResponseDto.refused(mapped.status, mapped.message));
  }
}

/** DownloadService logs and counts the failures of its own work: a .torrent file it could not use. */
function countedByService(exception: unknown): boolean {
  return exception instanceof TorrentFetchError;
}

function linkIdOf(request: Request): string {
  const linkId: unknown = (request.body as Record<string, unknown> | undefined)?.link_id;
  return Number.isSafeInteger(linkId) ? String(linkId) : '-';
}
