import type { Pool } from 'pg';
import { standardResultSchema, type StandardResult } from '../result/schema';

/** The simulator's bookkeeping: final results go to the stress_runs table. */
export function createStressRunActivities(deps: { pool: Pool }) {
  return {
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
