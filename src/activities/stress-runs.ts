import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { saveStressRun } from '../db/stress-runs-store';
import { standardResultSchema, type StandardResult } from '../result/schema';
import { suiteResultSchema } from '../result/suite-schema';

/**
 * Checks a final result against its zod schema; a result that fails is a bug, so the failure is not retried.
 * In an activity, not in the workflow: zod in the workflow bundle would be built again for every new workflow.
 */
export function validateResult(kind: 'run' | 'suite', result: unknown): void {
  const checked = (kind === 'run' ? standardResultSchema : suiteResultSchema).safeParse(result);
  if (!checked.success) {
    throw ApplicationFailure.nonRetryable(
      `${kind === 'run' ? 'result' : 'suite result'} failed validation: ${checked.error.message}`,
      'InvalidResult',
    );
  }
}

/** The simulator's bookkeeping: final results go to the stress_runs table. */
export function createStressRunActivities(deps: { pool: Pool }) {
  return {
    /** Fails (not retryable) when a final result does not match its schema. */
    async validate_result(kind: 'run' | 'suite', result: unknown): Promise<void> {
      validateResult(kind, result);
    },
    /** Stores (or, on retry, overwrites with the same) final result of a run. */
    async store_stress_run(result: StandardResult, startedAt: number): Promise<void> {
      await saveStressRun(deps.pool, standardResultSchema.parse(result), startedAt);
    },
  };
}
