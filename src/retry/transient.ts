/**
 * An error that knows whether trying again may help. The RetryService retries only these, and only
 * when `transient` is true: everything else fails at once.
 */
export interface MaybeTransient {
  readonly transient: boolean;
}

export function isTransient(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'transient' in error &&
    (error as MaybeTransient).transient === true
  );
}
