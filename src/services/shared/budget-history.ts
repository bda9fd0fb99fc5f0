import type { Pool, PoolClient } from 'pg';
import { DEFAULT_GATE } from '../ml-service/decision-gate';
import { realInterval } from './platform-time';

/**
 * Every budget an ad set held within the velocity window (6 platform hours), from the budget changes
 * executed in it: the decision gate and the SafeExecutor check velocity against the same list.
 */
export async function budgetsInWindow(db: Pool | PoolClient, adSetId: string, timeScale: number): Promise<number[]> {
  const history = await db.query(
    `SELECT old_value, new_value FROM ad_change_history
     WHERE ad_set_id = $1 AND change_type = 'budget_update' AND executed_at > now() - $2::interval`,
    [adSetId, realInterval(DEFAULT_GATE.windowHours, timeScale)],
  );
  return history.rows.flatMap((r) =>
    [r.old_value?.daily_budget, r.new_value?.daily_budget].filter((b): b is number => typeof b === 'number'),
  );
}
