// Errors from opening the probe sockets, converted from the addon's (code, errno, hint) into
// types a caller can branch on, with a message that says the fix.

/** Neither raw nor ping sockets are allowed: the message names both ways to fix it. */
export class IcmpPermissionError extends Error {
  override name = 'IcmpPermissionError';
  constructor(
    message: string,
    readonly code: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

/** Any other socket set-up failure (bad source address, unknown interface, missing kernel feature). */
export class IcmpSocketError extends Error {
  override name = 'IcmpSocketError';
  constructor(
    message: string,
    readonly code: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

/** Maps an error thrown by the addon to IcmpPermissionError / IcmpSocketError (others pass through). */
export function fromAddonError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code, errno, hint } = error as Error & { code?: unknown; errno?: unknown; hint?: unknown };
  if (typeof code !== 'string' || typeof errno !== 'number') return error;
  const message = typeof hint === 'string' && hint !== '' ? `${error.message}: ${hint}` : error.message;
  return code.startsWith('EPERM_')
    ? new IcmpPermissionError(message, code, errno)
    : new IcmpSocketError(message, code, errno);
}
