import type { Pool } from 'pg';
import type { ServiceFaults } from '../../contracts/fault-profile';
import { insertOnce } from '../../db/helpers';
import { realInterval } from '../shared/platform-time';
import type { QueuedChange } from '../../contracts/meta-publisher';

/** A change to queue, with the caller's time scale and faults (the executor calls Meta with them). */
export interface ChangeToQueue {
  key: string;
  change: QueuedChange;
  timeScale: number;
  faults: ServiceFaults;
  jitterMs: number;
  jitterSeconds: number;
}

/** Queues a change once per idempotency key; an earlier attempt's row when the key was seen. */
export function queueChange(pool: Pool, q: ChangeToQueue) {
  return insertOnce<{ id: string; status: string }>(
    pool,
    'pending_ad_changes',
    q.key,
    `INSERT INTO pending_ad_changes
       (idempotency_key, ad_account_id, campaign_id, ad_set_id, change_type, payload, time_scale, faults, earliest_execute_at,
        jitter_seconds)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9 * interval '1 millisecond', $10)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [
      q.key,
      q.change.ad_account_id,
      q.change.campaign_id ?? null,
      q.change.ad_set_id,
      q.change.change_type,
      JSON.stringify(q.change.payload),
      q.timeScale,
      JSON.stringify(q.faults),
      q.jitterMs,
      q.jitterSeconds,
    ],
  );
}

/** The queue's row of a change, if any. */
export async function findChange(pool: Pool, id: string): Promise<Record<string, unknown> | undefined> {
  const found = await pool.query('SELECT * FROM pending_ad_changes WHERE id = $1', [id]);
  return found.rows[0];
}

/** A change with its history row and the real ms it was planned to wait and did wait. */
export interface ChangeWithHistory {
  id: string;
  status: string;
  change_type: string;
  ad_account_id: string;
  ad_set_id: string;
  time_scale: string | number;
  jitter_seconds: number | null;
  attempts: number;
  last_error: string | null;
  waited_ms: string | null;
  planned_ms: string | null;
  executed_at: Date | null;
  rules: Record<string, unknown> | null;
  new_value: Record<string, unknown> | null;
  old_value: Record<string, unknown> | null;
  history_rows: number;
}

/** A change joined with its history row, if the change exists. */
export async function changeWithHistory(pool: Pool, id: string): Promise<ChangeWithHistory | undefined> {
  const found = await pool.query(
    `SELECT c.id, c.status, c.change_type, c.ad_account_id, c.ad_set_id, c.time_scale, c.jitter_seconds, c.attempts,
            c.last_error, extract(epoch FROM (c.executed_at - c.created_at)) * 1000 AS waited_ms,
            extract(epoch FROM (c.earliest_execute_at - c.created_at)) * 1000 AS planned_ms, c.executed_at,
            h.rules, h.new_value, h.old_value,
            (SELECT count(*)::int FROM ad_change_history x WHERE x.change_id = c.id) AS history_rows
     FROM pending_ad_changes c LEFT JOIN ad_change_history h ON h.change_id = c.id WHERE c.id = $1`,
    [id],
  );
  return found.rows[0];
}

/** The most changes the account saw in any sliding platform hour that starts within the hour from `at`. */
export async function accountMaxPerHour(pool: Pool, account: string, at: Date, scale: number): Promise<number> {
  const rate = await pool.query(
    `SELECT coalesce(max((SELECT count(*) FROM ad_change_history x WHERE x.ad_account_id = h.ad_account_id
              AND x.executed_at > h.executed_at - $3::interval AND x.executed_at <= h.executed_at)), 0)::int AS n
     FROM ad_change_history h
     WHERE h.ad_account_id = $1 AND h.executed_at >= $2::timestamptz AND h.executed_at < $2::timestamptz + $3::interval`,
    [account, at, realInterval(1, scale)],
  );
  return rate.rows[0].n;
}

/** The ad set's budgets in the 6 platform hours up to `at`: the first change's old budget, then each new one. */
export async function budgetsBefore(pool: Pool, adSetId: string, at: Date, scale: number): Promise<number[]> {
  const window = await pool.query(
    `SELECT (old_value->>'daily_budget')::float AS old, (new_value->>'daily_budget')::float AS new
     FROM ad_change_history WHERE ad_set_id = $1 AND change_type = 'budget_update'
       AND executed_at > $2::timestamptz - $3::interval AND executed_at <= $2::timestamptz ORDER BY executed_at`,
    [adSetId, at, realInterval(6, scale)],
  );
  return [window.rows[0]?.old, ...window.rows.map((r) => r.new)].filter((b): b is number => typeof b === 'number');
}
