import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { BUILT_IN_PROFILES } from '../../src/contracts/fault-profile';
import { createAdSet, expectExecutorInvariants } from '../support/safe-executor';
import { connectTestStack, type TestStack } from '../support/stack';

const TIME_SCALE = 0.001;

let stack: TestStack;
let metaUrl: string;
beforeAll(async () => {
  stack = await connectTestStack();
  metaUrl = stack.endpoints.services['meta-publisher'];
});
afterAll(async () => {
  await stack.close();
});

/** An account of the test's own, so its changes meet no other test's limits. */
const freshAccount = () => `act_8${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

async function queue(key: string, body: Record<string, unknown>) {
  const res = await request(`${metaUrl}/safe-executor/changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-sim-time-scale': String(TIME_SCALE) },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** A change written straight into the queue's table, as anything with database access could. */
async function insertChange(key: string, change: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const row = { time_scale: TIME_SCALE, ...change, ...extra };
  const columns = Object.keys(row);
  const res = await stack.pool.query<{ id: string }>(
    `INSERT INTO pending_ad_changes (idempotency_key, ${columns.join(', ')})
     VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING id`,
    [key, ...Object.values(row).map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : v))],
  );
  return res.rows[0].id;
}

/** Waits on the real condition: every change with the key prefix has ended (executed, rejected, dead letter). */
async function waitEnded(prefix: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await stack.pool.query(
      `SELECT count(*)::int AS n FROM pending_ad_changes WHERE idempotency_key LIKE $1
         AND status NOT IN ('executed', 'rejected', 'dead_letter')`,
      [`${prefix}%`],
    );
    if (open.rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error(`${open.rows[0].n} changes of ${prefix} still open`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return (
    await stack.pool.query<{ id: string; status: string; attempts: number; last_error: string | null }>(
      `SELECT id, status, attempts, last_error FROM pending_ad_changes WHERE idempotency_key LIKE $1
       ORDER BY idempotency_key`,
      [`${prefix}%`],
    )
  ).rows;
}

test('a budget change Meta applied but whose answer was lost is recorded as Meta applied it, not decided again', async () => {
  const prefix = `lost-answer-${Date.now()}-`;
  const account = freshAccount();
  const adSet = await createAdSet(metaUrl, account, `${prefix}setup`, 414);
  // The state a dropped answer leaves: the change attempted once, Meta holding the update under its key.
  const id = await insertChange(
    `${prefix}0`,
    {
      ad_account_id: account,
      ad_set_id: adSet,
      change_type: 'budget_update',
      payload: { daily_budget: 496.37, seed: 1 },
    },
    { earliest_execute_at: 'infinity' },
  );
  const applied = await request(`${metaUrl}/v19.0/${adSet}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `change:${id}`, 'x-sim-time-scale': '0.001' },
    body: JSON.stringify({ daily_budget: 496.37 }),
  });
  expect(applied.statusCode).toBe(200);
  await stack.pool.query(
    `UPDATE pending_ad_changes SET attempts = 1, last_error = 'Meta answered 0: headers timeout', earliest_execute_at = now()
     WHERE id = $1`,
    [id],
  );
  const [first] = await waitEnded(prefix);
  expect(first).toMatchObject({ status: 'executed' });
  const history = await stack.pool.query(
    `SELECT (old_value->>'daily_budget')::float AS old, (new_value->>'daily_budget')::float AS new, rules
     FROM ad_change_history WHERE change_id = $1`,
    [id],
  );
  expect(history.rows).toEqual([{ old: 414, new: 496.37, rules: { recorded_from: 'meta_lookup' } }]);
  // A second change asks for 600: the velocity window holds 414 (Meta's record), so it stops at 414 × 1.2.
  await insertChange(`${prefix}1`, {
    ad_account_id: account,
    ad_set_id: adSet,
    change_type: 'budget_update',
    payload: { daily_budget: 600, seed: 1 },
  });
  const [, second] = await waitEnded(prefix);
  expect(second.status).toBe('executed');
  const now = await stack.pool.query(`SELECT daily_budget::float AS b FROM meta_ad_sets WHERE ad_set_id = $1`, [adSet]);
  expect(now.rows[0].b).toBeLessThanOrEqual(414 * 1.2);
  await expectExecutorInvariants(stack.pool, prefix, TIME_SCALE);
});

describe('the queue refuses ids that are not canonical, do not exist or do not belong together', () => {
  const campaign = randomUUID();
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a leading zero in the account', { ad_account_id: 'act_0200001' }, 'ad_account_id'],
    ['an upper-case account', { ad_account_id: 'ACT_200001' }, 'ad_account_id'],
    ['whitespace around the account', { ad_account_id: ' act_200001' }, 'ad_account_id'],
    ['an account that does not exist', { ad_account_id: 'act_999999', ad_set_id: 'act_999999_as0' }, 'ad_account_id'],
    ['a leading zero in the ad set', { ad_set_id: 'act_200001_as09' }, 'ad_set_id'],
    ['an ad set that does not exist', { ad_set_id: 'act_200001_as10' }, 'ad_set_id'],
    ['an ad set of another account', { ad_account_id: 'act_200002', ad_set_id: 'act_200001_as0' }, 'ad_set_id'],
    ['a campaign that does not exist', { campaign_id: campaign }, 'campaign_id'],
    ['an upper-case campaign', { campaign_id: campaign.toUpperCase() }, 'campaign_id'],
    ['an unknown change type', { change_type: 'delete_everything' }, 'change_type'],
    ['a negative budget', { payload: { daily_budget: -5, seed: 1 } }, 'payload.daily_budget'],
    [
      'a split over an ad of another ad set',
      { payload: { daily_budget: 100, seed: 1, ad_split: { act_200001_as1_ad0: 1 } } },
      'payload.ad_split.act_200001_as1_ad0',
    ],
    [
      'a creative swap of an ad in another ad set',
      { change_type: 'creative_swap', payload: { ad_id: 'act_200001_as1_ad0', creative: {} } },
      'payload.ad_id',
    ],
    ['a status Meta does not have', { change_type: 'status_update', payload: { status: 'DELETED' } }, 'payload.status'],
  ];
  test.each(cases)('%s: 400 naming %s, nothing queued', async (_what, override, field) => {
    const key = `bad-ids-${randomUUID()}`;
    const body = {
      ad_account_id: 'act_200001',
      ad_set_id: 'act_200001_as0',
      change_type: 'budget_update',
      payload: { daily_budget: 100, seed: 1 },
      ...override,
    };
    const res = await queue(key, body);
    expect(res).toMatchObject({ status: 400, body: { error: 'bad_request', field } });
    expect(String(res.body.message)).toContain(field);
    const rows = await stack.pool.query('SELECT 1 FROM pending_ad_changes WHERE idempotency_key = $1', [key]);
    expect(rows.rowCount).toBe(0);
  });
});

test('every change type the queue accepts is executed on Meta, once, as the history records it', async () => {
  const prefix = `each-type-${Date.now()}-`;
  const account = freshAccount();
  const adSet = await createAdSet(metaUrl, account, `${prefix}setup`, 200);
  const base = { ad_account_id: account, ad_set_id: adSet };
  const created = await queue(`${prefix}1`, {
    ...base,
    change_type: 'create_ad',
    payload: { name: 'probe', creative: { title: 'a' } },
  });
  expect(created.status).toBe(201);
  for (const [i, change] of [
    { change_type: 'budget_update', payload: { daily_budget: 222.22, seed: 1 } },
    { change_type: 'status_update', payload: { status: 'PAUSED', reason: 'test' } },
  ].entries())
    expect((await queue(`${prefix}${i + 2}`, { ...base, ...change })).status).toBe(201);
  await waitEnded(prefix);
  const ad = await stack.pool.query(`SELECT id FROM meta_ads WHERE idempotency_key = $1`, [
    `change:${created.body.change_id}`,
  ]);
  expect(ad.rowCount).toBe(1);
  const adId = ad.rows[0].id as string;
  const swap = await queue(`${prefix}4`, {
    ...base,
    change_type: 'creative_swap',
    payload: { ad_id: adId, creative: { title: 'b' } },
  });
  expect(swap.status).toBe(201);
  const ended = await waitEnded(prefix);
  expect(ended.map((c) => c.status)).toEqual(['executed', 'executed', 'executed', 'executed']);
  // Meta's objects are as the changes left them.
  const set = await stack.pool.query(`SELECT daily_budget::float AS b, status FROM meta_ad_sets WHERE ad_set_id = $1`, [
    adSet,
  ]);
  expect(set.rows[0].status).toBe('PAUSED');
  expect(set.rows[0].b).toBeGreaterThan(200);
  expect(set.rows[0].b).toBeLessThanOrEqual(222.22);
  const swapped = await stack.pool.query(`SELECT creative FROM meta_ads WHERE id = $1`, [adId]);
  expect(swapped.rows[0].creative).toEqual({ title: 'b' });
  await expectExecutorInvariants(stack.pool, prefix, TIME_SCALE);
});

test('changes written past the queue with aliased or mismatched ids are rejected by the executor, and Meta holds nothing', async () => {
  const prefix = `aliased-${Date.now()}-`;
  const rows: Array<[Record<string, unknown>, RegExp]> = [
    [{ ad_account_id: 'act_0200001', ad_set_id: 'act_200001_as0' }, /^invalid change: ad_account_id/],
    [{ ad_account_id: 'act_200001', ad_set_id: 'act_200001_as01' }, /^invalid change: ad_set_id/],
    [{ ad_account_id: 'act_200002', ad_set_id: 'act_200001_as0' }, /^ad_set_id: .* belongs to act_200001/],
    [{ ad_account_id: 'act_200001', ad_set_id: 'sc_anything' }, /^invalid change: ad_set_id/],
  ];
  for (const [i, [ids]] of rows.entries())
    await insertChange(`${prefix}${i}`, {
      ...ids,
      change_type: 'budget_update',
      payload: { daily_budget: 101.13, seed: 1 },
    });
  const ended = await waitEnded(prefix);
  for (const [i, [, reason]] of rows.entries()) {
    expect(ended[i].status).toBe('rejected');
    expect(ended[i].last_error).toMatch(reason);
  }
  await expectExecutorInvariants(stack.pool, prefix, TIME_SCALE);
});

test('an expired token (Meta code 190) spends an attempt each time and ends in the dead letter', async () => {
  const prefix = `expired-token-${Date.now()}-`;
  const account = freshAccount();
  const adSet = await createAdSet(metaUrl, account, `${prefix}setup`);
  await insertChange(`${prefix}0`, {
    ad_account_id: account,
    ad_set_id: adSet,
    change_type: 'status_update',
    payload: { status: 'PAUSED' },
    faults: { ...BUILT_IN_PROFILES.none.defaults, auth_error_rate: 1 },
  });
  const [change] = await waitEnded(prefix);
  expect(change).toMatchObject({ status: 'dead_letter', attempts: 5 });
  expect(change.last_error).toMatch(/"code":190/);
  await expectExecutorInvariants(stack.pool, prefix, TIME_SCALE);
});

test('an exception inside execution spends an attempt: a poisoned change ends in the dead letter', async () => {
  const prefix = `poisoned-${Date.now()}-`;
  const id = await insertChange(
    `${prefix}0`,
    // A change the executor rejects (its account is aliased)...
    { ad_account_id: 'act_0200001', ad_set_id: 'act_200001_as0', change_type: 'status_update', payload: {} },
    { earliest_execute_at: 'infinity' },
  );
  // ...but whose rejection the database refuses to write, every time.
  const fn = `poison_${id.replace(/-/g, '')}`;
  await stack.pool.query(
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'poisoned change'; END $$`,
  );
  await stack.pool.query(
    `CREATE TRIGGER ${fn} BEFORE UPDATE ON pending_ad_changes FOR EACH ROW
     WHEN (NEW.id = '${id}' AND NEW.status = 'rejected') EXECUTE FUNCTION ${fn}()`,
  );
  try {
    await stack.pool.query(`UPDATE pending_ad_changes SET earliest_execute_at = now() WHERE id = $1`, [id]);
    const [change] = await waitEnded(prefix);
    expect(change).toMatchObject({ status: 'dead_letter', attempts: 5 });
    expect(change.last_error).toMatch(/^executor error: poisoned change/);
  } finally {
    await stack.pool.query(`DROP TRIGGER ${fn} ON pending_ad_changes`);
    await stack.pool.query(`DROP FUNCTION ${fn}()`);
  }
  await expectExecutorInvariants(stack.pool, prefix, TIME_SCALE);
});
