import type { Pool, PoolClient } from 'pg';
import { DEFAULT_GATE } from '../ml-service/decision-gate';
import { realInterval } from './platform-time';

/**
 * Every budget an ad set held within the velocity window (6 platform hours), from the simulated Meta's own record
 * of the budget updates it applied: the decision gate and the SafeExecutor check velocity against the same list,
 * and it includes an update whose answer was lost on the way back.
 */
export async function budgetsInWindow(db: Pool | PoolClient, adSetId: string, timeScale: number): Promise<number[]> {
  const updates = await db.query<{ old: number; new: number }>(
    `SELECT old_budget::float AS old, new_budget::float AS new FROM meta_budget_updates
     WHERE ad_set_id = $1 AND at > now() - $2::interval`,
    [adSetId, realInterval(DEFAULT_GATE.windowHours, timeScale)],
  );
  return updates.rows.flatMap((r) => [r.old, r.new]);
}
