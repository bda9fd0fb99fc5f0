import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Attempted } from '../flows/types';
import { attempted } from './http';

/** A property a step checks did not hold: retrying cannot make it hold, so the step fails for good. */
export class PropertyViolation extends Error {}

/** Throws a PropertyViolation unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new PropertyViolation(message);
}

/**
 * Like `attempted`, for steps that verify properties: a violation fails the step without retries
 * (type PropertyViolated); transport and database errors stay retryable.
 */
export async function verified<T>(fn: () => Promise<T>): Promise<Attempted<T>> {
  let violation: PropertyViolation | undefined;
  try {
    return await attempted(async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof PropertyViolation) violation = err;
        throw err;
      }
    });
  } catch (err) {
    if (!violation) throw err;
    // Keep the attempt's times the inner failure carries.
    const timed = err instanceof ApplicationFailure ? err.details?.[0] : undefined;
    throw ApplicationFailure.create({
      message: violation.message,
      type: 'PropertyViolated',
      nonRetryable: true,
      details: [timed ?? { attempt: Context.current().info.attempt }],
    });
  }
}
