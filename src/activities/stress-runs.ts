import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
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
      const valid = standardResultSchema.parse(result);
      await deps.pool.query(
        `INSERT INTO stress_runs (run_id, flow, params, result, success_rate, started_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
         ON CONFLICT (run_id) DO UPDATE SET result = EXCLUDED.result, success_rate = EXCLUDED.success_rate,
           finished_at = now()`,
        [valid.run_id, valid.flow, JSON.stringify(valid.params), JSON.stringify(valid), valid.success_rate, startedAt],
      );
    },
  };
}
