/** The request lacks the bearer token API_TOKEN requires, or has another one. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}
