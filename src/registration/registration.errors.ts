import { AxiosError } from 'axios';

/** One registration attempt failed; the loop tries again (every failure is worth another try). */
export class RegistrationFailedError extends Error {
  override readonly name = 'RegistrationFailedError';

  /** What went wrong with the call to the core service, in words that hold no secret. */
  static of(error: unknown): RegistrationFailedError {
    if (error instanceof AxiosError) {
      return new RegistrationFailedError(
        error.response
          ? `the core service answered HTTP ${error.response.status}`
          : `the core service is unreachable (${error.code ?? 'no answer'})`,
      );
    }
    return new RegistrationFailedError(error instanceof Error ? error.message : String(error));
  }
}
