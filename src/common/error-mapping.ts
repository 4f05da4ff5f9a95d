import { HttpException, HttpStatus } from '@nestjs/common';
import { httpStatusOf } from './http-status.js';

export interface MappedError {
  status: number;
  /** Safe to show the caller: our own words, never a secret, a stack or raw input. */
  message: string;
  /** True for failures nobody declared a status for: a bug, logged with its real cause. */
  unexpected: boolean;
}

/**
 * The one place where an error becomes an HTTP status and a message: the status each error class
 * declares (HasHttpStatus), Nest's own HttpExceptions, and 500 `internal error` for the rest.
 */
export function mapError(error: unknown): MappedError {
  const status = httpStatusOf(error);
  if (status !== undefined && error instanceof Error) {
    return { status, message: error.message, unexpected: false };
  }
  if (error instanceof HttpException) {
    return { status: error.getStatus(), message: httpExceptionMessage(error), unexpected: false };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'internal error',
    unexpected: true,
  };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  return error.message;
}
