import { type HasHttpStatus, httpStatusOf } from '../common/http-status.js';

/**
 * The last failure of a retried operation, with how many attempts were made. It answers with the
 * status of that failure (500 when it declares none).
 */
export class RetryFailedError extends Error implements HasHttpStatus {
  constructor(
    readonly label: string,
    readonly attempts: number,
    /** True when every allowed attempt failed; false when the failure was not worth retrying. */
    readonly exhausted: boolean,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const count = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    super(
      exhausted
        ? `${capitalize(label)} failed after ${count}: ${reason}`
        : `${capitalize(label)} failed after ${count} (not retried): ${reason}`,
    );
    this.name = 'RetryFailedError';
  }

  get httpStatus(): number {
    return httpStatusOf(this.cause) ?? 500;
  }
}

/** Given up before the next attempt: the service is shutting down (or the caller's time ran out). */
export class RetryAbortedError extends Error implements HasHttpStatus {
  readonly httpStatus = 503;

  constructor(readonly label: string) {
    super(`${capitalize(label)} was abandoned: shutting down`);
    this.name = 'RetryAbortedError';
  }
}

/** `adding torrent abc` -> `Adding torrent abc`: labels start a sentence in messages. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
