/**
 * An error that knows the HTTP status it answers with. Each feature declares it on its own error
 * classes; mapError reads it, so that this folder knows no feature.
 */
export interface HasHttpStatus {
  readonly httpStatus: number;
}

/** The status an error declares, if it declares one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('httpStatus' in error)) return undefined;
  const status = (error as HasHttpStatus).httpStatus;
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}
