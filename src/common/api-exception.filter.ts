import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from './error-mapping.js';

/** Renders failures of the management endpoints as `{"error": "..."}` with the mapped status. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const mapped = mapError(exception);
    if (mapped.unexpected) {
      this.logger.error(
        `${request.method} ${request.path} failed unexpectedly`,
        (exception as Error)?.stack,
      );
    } else if (mapped.status >= 500) {
      this.logger.error(`${request.method} ${request.path}: ${mapped.message}`);
    }
    http.getResponse<Response>().status(mapped.status).json({ error: mapped.message });
  }
}
