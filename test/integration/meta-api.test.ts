import { request } from 'undici';
import { formatResult } from '../../src/cli/format';
import { metaApiAccounts } from '../../src/flows/meta-api-inputs';
import type { StandardResult } from '../../src/result/schema';
import { rowsPerFlow } from '../support/runs';
import { createAdSet } from '../support/safe-executor';
import { useTestStack } from '../support/stack';

// A platform hour of 36 s: longer than a run, so an account's 16 changes meet the hourly limit.
const TIME_SCALE = 0.01;
const HOUR_MS = 3_600_000 * TIME_SCALE;

const stack = useTestStack();

async function run(seed: number, count: number, concurrency: number, timeScale = TIME_SCALE): Promise<StandardResult> {
  return stack.runFlow({ flow: 'meta-api', count, concurrency, timeScale, seed });
}

interface Executed {
  change_id: string;
  change_type: string;
  ad_account_id: string;
  ad_set_id: string;
  executed_at: Date;
  jitter_seconds: number;
  waited_ms: number;
  old_budget: number | null;
  new_budget: number | null;
  rules: { clipped?: boolean; requested?: number; applied?: number };
}

/** Every change the executors applied in these accounts, with the change's jitter and its wait. */
async function executedIn(accounts: string[]): Promise<Executed[]> {
  const res = await stack.pool.query(
    `SELECT h.change_id, h.change_type, h.ad_account_id, h.ad_set_id, h.executed_at, c.jitter_seconds, h.rules,
            extract(epoch FROM (h.executed_at - c.created_at)) * 1000 AS waited_ms,
            (h.old_value->>'daily_budget')::float AS old_budget, (h.new_value->>'daily_budget')::float AS new_budget
     FROM ad_change_history h JOIN pending_ad_changes c ON c.id = h.change_id
     WHERE h.ad_account_id = ANY($1) ORDER BY h.executed_at`,
    [accounts],
  );
  return res.rows.map((r) => ({ ...r, waited_ms: Number(r.waited_ms) }));
}

test('Graph API creation refuses bad input with a 400 naming the field', async () => {
  const res = await request(`${stack.endpoints.services['meta-publisher']}/v19.0/act_599999/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bad-${Date.now()}` },
    body: JSON.stringify({ name: 'x', objective: 'WIN_EVERYTHING' }),
  });
  expect(res.statusCode).toBe(400);
  expect(JSON.stringify(await res.body.json())).toMatch(/objective/);
});

test('32 meta-api flows: rows once per flow, and the SafeExecutor rules hold over every executed change', async () => {
  const seed = 31;
  const result = await run(seed, 32, 16);
  if (process.env.H3_PRINT) console.log(formatResult(result));
  expect(result).toMatchObject({ total_operations: 32, failed: 0, successful: 32 });
  for (const step of ['campaign_creation', 'ad_creation', 'safe_executor_queue', 'rate_limiting', 'ad_change_history'])
    expect(result.step_analysis[step].executions).toBe(32);

  // Rows exactly once per flow: the campaign, its ad set, the two queued changes, the ad Meta created.
  for (const [table, step] of [
    ['meta_campaigns', 'campaign_creation'],
    ['meta_ad_sets', 'campaign_creation:adset'],
    ['pending_ad_changes', 'ad_creation'],
    ['pending_ad_changes', 'safe_executor_queue'],
  ]) {
    const rows = await rowsPerFlow(stack.pool, table, result.run_id, step);
    expect({ table, step, flows: rows.size }).toEqual({ table, step, flows: 32 });
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
  }
  const changes = await stack.pool.query(
    `SELECT c.id, c.status, (SELECT count(*)::int FROM ad_change_history h WHERE h.change_id = c.id) AS history,
            (SELECT count(*)::int FROM meta_ads a WHERE a.idempotency_key = 'change:' || c.id) AS ads
     FROM pending_ad_changes c WHERE c.idempotency_key LIKE $1`,
    [`${result.run_id}-%`],
  );
  expect(changes.rowCount).toBe(64);
  for (const c of changes.rows)
    expect({ status: c.status, history: c.history }).toEqual({ status: 'executed', history: 1 });
  expect(changes.rows.reduce((s, c) => s + c.ads, 0)).toBe(32);

  const all = await executedIn(metaApiAccounts(seed));
  expect(all).toHaveLength(64);
  // No account above 15 changes in any sliding platform hour ...
  for (const h of all) {
    const inHour = all.filter(
      (x) =>
        x.ad_account_id === h.ad_account_id &&
        x.executed_at.getTime() > h.executed_at.getTime() - HOUR_MS &&
        x.executed_at <= h.executed_at,
    ).length;
    expect({ change: h.change_id, inHour: Math.min(inHour, 15) }).toEqual({ change: h.change_id, inHour });
  }
  // ... and the limit really bound: 16 changes per account, so some waited past their jitter for the next hour.
  expect(all.some((h) => h.waited_ms > 10 * 60_000 * TIME_SCALE)).toBe(true);
  // Every change waited its jitter of 3-18 s of platform time first.
  for (const h of all) {
    expect(h.jitter_seconds).toBeGreaterThanOrEqual(3);
    expect(h.jitter_seconds).toBeLessThanOrEqual(18);
    expect(h.waited_ms + 1).toBeGreaterThanOrEqual(h.jitter_seconds * 1000 * TIME_SCALE);
  }
  // Budgets: within 20% of where they were, fuzzed, and clipped when the flow asked for more.
  const budgets = all.filter((h) => h.change_type === 'budget_update');
  expect(budgets).toHaveLength(32);
  for (const h of budgets) {
    const ratio = Math.max(h.old_budget!, h.new_budget!) / Math.min(h.old_budget!, h.new_budget!);
    expect(ratio).toBeLessThanOrEqual(1.2 + 1e-9);
    expect(Math.round(h.new_budget! * 100) % 50).not.toBe(0);
    expect(h.new_budget).toBe(h.rules.applied);
  }
  expect(budgets.filter((h) => h.rules.clipped).length).toBeGreaterThan(0);
});

test('over its call limit Meta answers 400 code 17 with the time to regain access; the flows wait that out and succeed', async () => {
  const seed = 32;
  const scale = TIME_SCALE; // the filled hour outlasts the worker's start
  const accounts = metaApiAccounts(seed);
  // Fill each account's hour to Meta's limit with calls that leave the hour in about 30 s: long enough for the
  // worker to start and every flow to meet the limit even on a busy machine.
  for (const account of accounts) {
    await stack.pool.query(
      `INSERT INTO meta_api_calls (ad_account_id, at)
       SELECT $1, now() - $2 * interval '1 millisecond' FROM generate_series(1, 600)`,
      [account, Math.max(0, 3_600_000 * scale - 30_000)],
    );
  }
  // What a flow's first call meets: Meta's answer and its usage header.
  const res = await request(`${stack.endpoints.services['meta-publisher']}/v19.0/${accounts[0]}/campaigns`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `limit-probe-${Date.now()}`,
      'x-sim-time-scale': String(scale),
    },
    body: JSON.stringify({ name: 'probe', objective: 'OUTCOME_SALES' }),
  });
  expect(res.statusCode).toBe(400);
  expect(await res.body.json()).toMatchObject({ error: { type: 'OAuthException', code: 17, error_subcode: 2446079 } });
  const usage = JSON.parse(String(res.headers['x-business-use-case-usage']));
  expect(usage[accounts[0].replace('act_', '')][0].estimated_time_to_regain_access).toBeGreaterThan(0);

  const result = await run(seed, 8, 8, scale);
  if (process.env.H3_PRINT) console.log(formatResult(result));
  expect(result).toMatchObject({ failed: 0, successful: 8 });
  // Each flow's first creation call was refused and retried after Meta's advised wait.
  expect(result.step_analysis.campaign_creation.retries).toBeGreaterThanOrEqual(8);
  expect(result.step_analysis.campaign_creation.failures).toBe(0);
});

test("the creative flow's queued ads are created on Meta by the executors, once", async () => {
  const key = `creative-shaped-${Date.now()}`;
  const queue = await request(`${stack.endpoints.services['meta-publisher']}/safe-executor/changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-sim-time-scale': String(TIME_SCALE) },
    // The creative flow's shape: its ids as the payload, an ad set of its own naming.
    body: JSON.stringify({
      ad_account_id: 'act_100005',
      ad_set_id: 'act_100005_as3',
      change_type: 'create_ad',
      payload: { ad_id: `ad_${key}`, video_id: 'v1', blueprint_id: 'b1' },
    }),
  });
  expect(queue.statusCode).toBe(201);
  const { change_id } = (await queue.body.json()) as { change_id: string };
  let status = 'pending';
  for (let i = 0; i < 600 && status !== 'executed'; i++) {
    const row = await stack.pool.query(`SELECT status FROM pending_ad_changes WHERE id = $1`, [change_id]);
    status = row.rows[0].status;
    if (status !== 'executed') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe('executed');
  const ads = await stack.pool.query(`SELECT name, ad_set_id, creative FROM meta_ads WHERE idempotency_key = $1`, [
    `change:${change_id}`,
  ]);
  expect(ads.rows).toEqual([
    { name: `ad_${key}`, ad_set_id: 'act_100005_as3', creative: { video_id: 'v1', blueprint_id: 'b1' } },
  ]);
  const history = await stack.pool.query(`SELECT change_type FROM ad_change_history WHERE change_id = $1`, [change_id]);
  expect(history.rows).toEqual([{ change_type: 'create_ad' }]);
});

test("refused for the account's call limit, the executor waits the time Meta advises before trying again", async () => {
  const account = `act_7${String(Date.now()).slice(-6)}`;
  const scale = 0.01;
  const adSetId = await createAdSet(stack.endpoints.services['meta-publisher'], account, `advice-${account}`);
  // Meta's hour for this account is full until about 30 s from now (its advice: 50 platform minutes).
  await stack.pool.query(
    `INSERT INTO meta_api_calls (ad_account_id, at)
     SELECT $1, now() - $2 * interval '1 millisecond' FROM generate_series(1, 600)`,
    [account, 3_600_000 * scale - 30_000],
  );
  const queue = await request(`${stack.endpoints.services['meta-publisher']}/safe-executor/changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `advice-${account}`, 'x-sim-time-scale': '0.01' },
    body: JSON.stringify({
      ad_account_id: account,
      ad_set_id: adSetId,
      change_type: 'create_ad',
      payload: { name: 'advice probe', creative: { video_id: 'v1' } },
    }),
  });
  expect(queue.statusCode).toBe(201);
  const { change_id } = (await queue.body.json()) as { change_id: string };
  const row = async () =>
    (
      await stack.pool.query(
        `SELECT status, attempts, last_error, extract(epoch FROM earliest_execute_at - now()) * 1000 AS wait_ms
         FROM pending_ad_changes WHERE id = $1`,
        [change_id],
      )
    ).rows[0];
  let refused = await row();
  for (let i = 0; i < 300 && !/"code":17/.test(refused.last_error ?? ''); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    refused = await row();
  }
  expect(refused).toMatchObject({ status: 'pending', attempts: 0 });
  expect(refused.last_error).toMatch(/"code":17/);
  // Without the advice the executor would wait 30-90 platform seconds: under a second here.
  expect(Number(refused.wait_ms)).toBeGreaterThan(20_000);
  await stack.pool.query(`UPDATE pending_ad_changes SET status = 'rejected' WHERE id = $1`, [change_id]);
});
