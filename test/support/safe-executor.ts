import type { Pool } from 'pg';
import { request } from 'undici';

const HOUR_MS = 3_600_000;

interface MetaUpdate {
  change_id: string;
  ad_account_id: string;
  ad_set_id: string;
  at: Date;
  old_budget: number;
  new_budget: number;
  history_old: number | null;
  history_new: number | null;
}

/**
 * The SafeExecutor's invariants over the changes whose idempotency key starts with `keyPrefix` (one run's, or one
 * test's), checked on its tables and on what the simulated Meta holds. `timeScale` is those changes' time scale.
 */
export async function expectExecutorInvariants(pool: Pool, keyPrefix: string, timeScale: number): Promise<void> {
  const hour = HOUR_MS * timeScale;
  const changes = (
    await pool.query<{ id: string; status: string; change_type: string; ad_account_id: string }>(
      `SELECT id, status, change_type, ad_account_id FROM pending_ad_changes WHERE idempotency_key LIKE $1`,
      [`${keyPrefix}%`],
    )
  ).rows;
  const ids = changes.map((c) => c.id);
  // Every change ended executed, rejected or dead-lettered; none pending or claimed.
  expect(changes.filter((c) => !['executed', 'rejected', 'dead_letter'].includes(c.status))).toEqual([]);

  // The history matches the executed changes one to one.
  const executed = changes.filter((c) => c.status === 'executed').map((c) => c.id);
  const history = await pool.query(`SELECT change_id FROM ad_change_history WHERE change_id = ANY($1)`, [ids]);
  expect(history.rows.map((r) => r.change_id).sort()).toEqual([...executed].sort());

  // Meta holds a write for exactly the executed changes, once each: nothing it applied is rejected or lost.
  const applied = await pool.query<{ change_id: string; kind: string; change_type: string }>(
    `SELECT c.id AS change_id, m.kind, c.change_type FROM meta_requests m
     JOIN pending_ad_changes c ON m.idempotency_key = 'change:' || c.id WHERE c.id = ANY($1)`,
    [ids],
  );
  expect(applied.rows.map((r) => r.change_id).sort()).toEqual([...executed].sort());
  for (const r of applied.rows) expect(r.kind).toBe(r.change_type === 'create_ad' ? 'ad' : r.change_type);

  // What the executor recorded of each budget change is what Meta changed: the same ad set, old and new budget.
  const updates = (
    await pool.query(
      `SELECT c.id AS change_id, u.ad_account_id, u.ad_set_id, u.at, u.old_budget::float, u.new_budget::float,
              (h.old_value->>'daily_budget')::float AS history_old, (h.new_value->>'daily_budget')::float AS history_new,
              c.ad_set_id AS change_ad_set
       FROM meta_budget_updates u JOIN pending_ad_changes c ON u.idempotency_key = 'change:' || c.id
       LEFT JOIN ad_change_history h ON h.change_id = c.id
       WHERE c.ad_account_id = ANY($1) AND c.time_scale = $2 ORDER BY u.at`,
      [[...new Set(changes.map((c) => c.ad_account_id))], timeScale],
    )
  ).rows as Array<MetaUpdate & { change_ad_set: string }>;
  for (const u of updates) {
    expect({ id: u.change_id, ad_set: u.ad_set_id, old: u.history_old, new: u.history_new }).toEqual({
      id: u.change_id,
      ad_set: u.change_ad_set,
      old: u.old_budget,
      new: u.new_budget,
    });
  }
  // On Meta's clock, no ad set's budget moved more than 20% within any 6 platform hours,
  for (const u of updates) {
    const window = updates.filter(
      (x) => x.ad_set_id === u.ad_set_id && x.at.getTime() > u.at.getTime() - 6 * hour && x.at <= u.at,
    );
    const budgets = [window[0].old_budget, ...window.map((x) => x.new_budget)];
    expect({
      ad_set: u.ad_set_id,
      at: u.at,
      spread: Math.max(...budgets) / Math.min(...budgets) <= 1.2 + 1e-9,
    }).toEqual({ ad_set: u.ad_set_id, at: u.at, spread: true });
  }
  // and no budget it was given is a round number.
  for (const u of updates) expect(Math.round(u.new_budget * 100) % 50).not.toBe(0);

  // No ad account saw more than 15 executed changes in any platform hour, on Meta's clock.
  const rows = (
    await pool.query<{ ad_account_id: string; at: Date }>(
      `SELECT m.ad_account_id, m.at FROM meta_requests m JOIN pending_ad_changes c ON m.idempotency_key = 'change:' || c.id
       WHERE m.ad_account_id = ANY($1) AND c.time_scale = $2`,
      [[...new Set(changes.map((c) => c.ad_account_id))], timeScale],
    )
  ).rows;
  for (const h of rows) {
    const inHour = rows.filter(
      (x) => x.ad_account_id === h.ad_account_id && x.at.getTime() > h.at.getTime() - hour && x.at <= h.at,
    ).length;
    expect({ account: h.ad_account_id, atMost15: inHour <= 15 }).toEqual({ account: h.ad_account_id, atMost15: true });
  }
}

/** A campaign with one ad set created on the simulated Meta (at `metaUrl`) under `account`; the ad set's id. */
export async function createAdSet(metaUrl: string, account: string, key: string, dailyBudget = 120): Promise<string> {
  const post = async (edge: string, k: string, body: unknown) => {
    const res = await request(`${metaUrl}/v19.0/${account}/${edge}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': k },
      body: JSON.stringify(body),
    });
    const answer = (await res.body.json()) as { id: string };
    expect({ edge, status: res.statusCode }).toEqual({ edge, status: 200 });
    return answer.id;
  };
  const campaign = await post('campaigns', `${key}:campaign`, { name: key, objective: 'OUTCOME_SALES' });
  return post('adsets', `${key}:adset`, { name: key, campaign_id: campaign, daily_budget: dailyBudget });
}

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
