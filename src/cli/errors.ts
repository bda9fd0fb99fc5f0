/** Bad input from the command line: one line on stderr, exit 2, nothing started. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An expected condition that ends a command (nothing to answer from, a port taken): one line, exit 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export const EXIT = { ok: 0, failure: 1, usage: 2, thresholdFailed: 99 } as const;
