import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from './error-mapping.js';

/**
 * The one error path of the application (registered as APP_FILTER): every failure of every route,
 * a new module's included, and every unknown route, answered `{"error": "..."}` with the status
 * mapError decides. A refusal (4xx) is one warning line; a failure of ours or of qBittorrent (5xx)
 * one error line; only a failure nobody declared (a bug) carries its stack. POST /download words
 * its failures in its own three fields (DownloadExceptionFilter, on its controller, comes first).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const mapped = mapError(exception);
    // The path only: a query can hold hundreds of hashes.
    const line = `${request.method} ${request.path} answered ${mapped.status}: ${mapped.message}`;
    if (mapped.unexpected) this.logger.error(line, (exception as Error | undefined)?.stack);
    else if (mapped.status >= 500) this.logger.error(line);
    else this.logger.warn(line);
    http.getResponse<Response>().status(mapped.status).json({ error: mapped.message });
  }
}
