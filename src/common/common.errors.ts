import type { ValidationError } from 'class-validator';
import type { HasHttpStatus } from './http-status.js';

/** A request we refuse before doing anything: the message says what is wrong with it. */
export class InvalidRequestError extends Error implements HasHttpStatus {
  readonly httpStatus = 400;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }

  /** ValidationPipe's exceptionFactory: the first broken rule of the first bad field. */
  static fromValidation(errors: ValidationError[]): InvalidRequestError {
    return new InvalidRequestError(firstMessage(errors) ?? 'request body is invalid');
  }
}

/** Why a request body could not be read. Raised inside the route, so that the route's error shape applies. */
export class RequestBodyError extends Error implements HasHttpStatus {
  private constructor(
    readonly httpStatus: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }

  static tooLarge(limit: number): RequestBodyError {
    return new RequestBodyError(413, `request body is larger than ${limit} bytes`);
  }

  static notJson(): RequestBodyError {
    return new RequestBodyError(400, 'request body is not valid JSON');
  }

  static notJsonContentType(): RequestBodyError {
    return new RequestBodyError(400, 'request body must be JSON (Content-Type: application/json)');
  }

  static notAnObject(): RequestBodyError {
    return new RequestBodyError(400, 'request body must be a JSON object');
  }

  static unsupportedEncoding(): RequestBodyError {
    return new RequestBodyError(400, 'request body encoding is not supported (use UTF-8 JSON)');
  }

  static unreadable(): RequestBodyError {
    return new RequestBodyError(400, 'request body could not be read');
  }
}

function firstMessage(errors: ValidationError[]): string | undefined {
  for (const error of errors) {
    const constraint = Object.values(error.constraints ?? {})[0];
    if (constraint !== undefined) return constraint;
    const nested = firstMessage(error.children ?? []);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
