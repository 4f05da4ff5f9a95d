import type { HasHttpStatus } from '../common/http-status.js';

/** The request lacks the bearer token API_TOKEN requires, or has another one. */
export class UnauthorizedError extends Error implements HasHttpStatus {
  readonly httpStatus = 401;

  private constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }

  static missingToken(): UnauthorizedError {
    return new UnauthorizedError('missing bearer token (Authorization: Bearer <API_TOKEN>)');
  }

  static invalidToken(): UnauthorizedError {
    return new UnauthorizedError('invalid bearer token');
  }
}
