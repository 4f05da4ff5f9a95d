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

function firstMessage(errors: ValidationError[]): string | undefined {
  for (const error of errors) {
    const constraint = Object.values(error.constraints ?? {})[0];
    if (constraint !== undefined) return constraint;
    const nested = firstMessage(error.children ?? []);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
