import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DownloadFailedError } from '../downloads.errors.js';
import { DownloadOutcomeRecorder } from './download-outcome.recorder.js';
import { DownloadResponseDto } from './dto/download-response.dto.js';

/**
 * Renders every failure of POST /download in its three-field shape. A request refused before the
 * adder saw it (body, validation, token) is recorded here, by the one recorder of outcomes.
 */
@Catch()
@Injectable()
export class DownloadExceptionFilter implements ExceptionFilter {
  constructor(private readonly recorder: DownloadOutcomeRecorder) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const failure =
      exception instanceof DownloadFailedError
        ? { status: exception.status, error: exception.message, httpStatus: exception.httpStatus }
        : this.recorder.refuse(linkIdOf(http.getRequest<Request>()), exception);
    http
      .getResponse<Response>()
      .status(failure.httpStatus)
      .json(DownloadResponseDto.failed(failure.status, failure.error));
  }
}

function linkIdOf(request: Request): number | undefined {
  const linkId: unknown = (request.body as Record<string, unknown> | undefined)?.link_id;
  return Number.isSafeInteger(linkId) ? (linkId as number) : undefined;
}
