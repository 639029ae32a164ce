/**
 * Marks usage errors across bundles: `collect` runs from the ES-module build, which has its own
 * copy of this class, so `instanceof` alone cannot tell its usage errors (subclasses included).
 */
const usageErrorMark: unique symbol = Symbol.for('pingsphere.UsageError');

/** Bad input from the user: printed as a one-line message (no stack trace), exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly [usageErrorMark] = true;
}

/** Whether `error` is a UsageError (or a subclass) of any build of this module. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && (error as Partial<UsageError>)[usageErrorMark] === true;
}
