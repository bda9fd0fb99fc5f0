import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { STEP_PRESETS } from '../flows/step-presets';

const { validate_result } = proxyActivities<Activities>(STEP_PRESETS.bookkeeping);

/**
 * A parent's final result checked against its zod schema by an activity (zod stays out of the workflow bundle,
 * where every new workflow, each flow included, would build it again). A result that fails is a bug: the parent
 * fails with the schema's message.
 */
export async function validated(kind: 'run' | 'suite', result: unknown): Promise<void> {
  try {
    await validate_result(kind, result);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === 'InvalidResult') {
      throw ApplicationFailure.nonRetryable(cause.message, 'InvalidResult');
    }
    throw err;
  }
}
