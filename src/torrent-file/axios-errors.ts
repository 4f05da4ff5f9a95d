import { AxiosError } from 'axios';

/**
 * Whether axios gave up on a call for lack of time: its own timeout (ECONNABORTED) or the abort
 * of the call's deadline signal (ERR_CANCELED, as AbortSignal.timeout ends a call).
 */
export function isAxiosTimeout(error: unknown): error is AxiosError {
  return (
    error instanceof AxiosError &&
    (error.code === AxiosError.ERR_CANCELED || error.code === AxiosError.ECONNABORTED)
  );
}
