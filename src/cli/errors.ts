/** Bad input from the command line: one line on stderr, exit 2, nothing started. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failure: 1, usage: 2, thresholdFailed: 99 } as const;
