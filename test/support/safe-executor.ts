import type { Pool } from 'pg';

/**
 * The SafeExecutor's promises for one run's queued changes, once its executors have worked off what is due:
 * each ended executed, rejected or dead-lettered, or waits (pending) for a later time a limit set, and the
 * audit trail has exactly one row per executed change.
 * Waits (on the real condition, bounded) for the executors, which apply changes after the flows queued them.
 */
export async function expectChangesSettled(pool: Pool, runId: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A change the executors deferred to a later time (a rate limit's window) is waiting, not lost.
    const open = await pool.query(
      `SELECT count(*)::int AS n FROM pending_ad_changes WHERE idempotency_key LIKE $1
         AND (status = 'claimed' OR (status = 'pending' AND earliest_execute_at <= now()))`,
      [`${runId}-%`],
    );
    if (open.rows[0].n === 0) break;
    if (Date.now() > deadline)
      throw new Error(`${open.rows[0].n} changes of ${runId} still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const changes = await pool.query<{ id: string; status: string }>(
    `SELECT id, status FROM pending_ad_changes WHERE idempotency_key LIKE $1`,
    [`${runId}-%`],
  );
  for (const c of changes.rows) expect(['executed', 'rejected', 'dead_letter', 'pending']).toContain(c.status);
  const executed = changes.rows.filter((c) => c.status === 'executed').map((c) => c.id);
  const history = await pool.query<{ change_id: string; n: number }>(
    `SELECT change_id, count(*)::int AS n FROM ad_change_history WHERE change_id = ANY($1) GROUP BY change_id`,
    [changes.rows.map((c) => c.id)],
  );
  expect(history.rows.map((r) => r.change_id).sort()).toEqual([...executed].sort());
  expect(history.rows.every((r) => r.n === 1)).toBe(true);
}
