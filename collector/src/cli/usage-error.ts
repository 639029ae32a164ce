/** Bad input from the user: printed as a one-line message (no stack trace), exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
