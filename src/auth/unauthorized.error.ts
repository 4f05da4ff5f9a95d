import type { HasHttpStatus } from '../common/http-status.js';

/** The request lacks the bearer token API_TOKEN requires, or has another one. */
export class UnauthorizedError extends Error implements HasHttpStatus {
  readonly httpStatus = 401;

  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}
