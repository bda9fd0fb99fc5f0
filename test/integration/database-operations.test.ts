import { FLOWS } from '../../src/flows/catalog';
import { DB_RULES } from '../../src/activities/database';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { useTestStack } from '../support/stack';
import { firstFailure, rowsPerFlow } from '../support/runs';

const STEPS = FLOWS['database-operations'].steps;
const COUNT = 20;

const stack = useTestStack();

async function run(): Promise<StandardResult> {
  return stack.runFlow({ flow: 'database-operations', count: COUNT, concurrency: 10 });
}

test('20 flows at concurrency 10: every step holds its property and leaves its rows once per flow', async () => {
  const result = await run();
  expect(() => standardResultSchema.parse(result)).not.toThrow();
  expect({ failed: result.failed, first_failure: await firstFailure(stack.client, result) }).toEqual({
    failed: 0,
    first_failure: null,
  });
  expect(result).toMatchObject({ flow: 'database-operations', total_operations: COUNT, concurrent: 10 });
  expect(result.success_rate).toBe(100);
  expect(Object.keys(result.step_analysis)).toEqual([...STEPS]);
  for (const step of STEPS) {
    expect({ step, executions: result.step_analysis[step].executions }).toEqual({ step, executions: COUNT });
    expect(result.step_analysis[step].success_rate).toBe(100);
  }
  const runId = result.run_id;
  const q = async (sql: string, params: unknown[] = [`${runId}-%`]) => (await stack.pool.query(sql, params)).rows;

  // crud: one user and one active campaign per flow, the deleted one gone.
  const crud = await q(
    `SELECT c.status, c.daily_budget::float AS budget FROM campaigns c JOIN users u ON u.id = c.user_id
     WHERE u.email LIKE $1 || ':crud@dbops.sim'`,
  );
  expect(crud).toHaveLength(COUNT);
  expect(crud.every((c) => c.status === 'active' && c.budget === 120)).toBe(true);
  expect(await q(`SELECT 1 FROM campaigns WHERE name LIKE $1 || ':crud:temp'`)).toHaveLength(0);

  // foreign_keys: nothing of the refused transactions, one valid child per flow, cascades done.
  expect(await q(`SELECT 1 FROM videos WHERE idempotency_key LIKE $1 || ':orphan-video'`)).toHaveLength(0);
  expect(await q(`SELECT 1 FROM render_jobs WHERE idempotency_key LIKE $1 || ':orphan'`)).toHaveLength(0);
  expect(await q(`SELECT 1 FROM users WHERE email LIKE $1 || ':foreign_keys:cascade@dbops.sim'`)).toHaveLength(0);
  for (const [table, step] of [
    ['render_jobs', 'foreign_keys'],
    ['videos', 'jsonb'],
    ['blueprints', 'transaction_rollback'],
  ]) {
    const rows = await rowsPerFlow(stack.pool, table, runId, step);
    expect({ table, flows: rows.size, once: [...rows.values()].every((n) => n === 1) }).toEqual({
      table,
      flows: COUNT,
      once: true,
    });
  }

  // transaction_rollback: neither the rolled-back savepoint's row nor the aborted transaction's.
  expect(await q(`SELECT 1 FROM blueprints WHERE idempotency_key LIKE $1 || ':transaction_rollback:%'`)).toHaveLength(
    0,
  );

  // jsonb: the updates landed as the step checked them.
  const docs = await q(`SELECT features FROM videos WHERE idempotency_key LIKE $1 || ':jsonb'`);
  expect(docs.every((d) => d.features.hook.score === 0.9 && d.features.reviewed === true)).toBe(true);

  // concurrent_writes: no lost update in any flow.
  const counters = await q(`SELECT daily_budget::float AS n FROM campaigns WHERE name LIKE $1 || ':concurrent_writes'`);
  expect(counters.map((c) => c.n)).toEqual(Array(COUNT).fill(DB_RULES.concurrentWriters));

  // skip_locked: every queued row claimed exactly once, by one of its flow's claimers.
  const claimed = await q(
    `SELECT ad_account_id, count(*)::int AS n, count(*) FILTER (WHERE status = 'claimed')::int AS claimed,
            bool_and(claimed_by LIKE substr(ad_account_id, 7) || '#%') AS own
     FROM pending_ad_changes WHERE ad_account_id LIKE 'dbops:' || $1 GROUP BY 1`,
  );
  expect(claimed).toHaveLength(COUNT);
  for (const c of claimed) expect(c).toMatchObject({ n: DB_RULES.queuedRows, claimed: DB_RULES.queuedRows, own: true });
});

test('a property that does not hold fails its step for good, on the first attempt, and the flow reports it', async () => {
  // Without the index the lookup can only be a Seq Scan: index_performance must fail, not retry.
  await stack.pool.query('DROP INDEX campaigns_ad_account_id_idx');
  try {
    const result = await stack.runFlow({ flow: 'database-operations', count: 1, concurrency: 1 });
    expect(result).toMatchObject({ failed: 1, failure_points: { index_performance: 1 } });
    expect(result.step_analysis.index_performance).toMatchObject({ executions: 1, failures: 1, retries: 0 });
    expect(await firstFailure(stack.client, result)).toMatch(
      /^index_performance: .* does not use campaigns_ad_account_id_idx/,
    );
    expect(result.step_analysis.skip_locked).toBeUndefined();
  } finally {
    await stack.pool.query('CREATE INDEX IF NOT EXISTS campaigns_ad_account_id_idx ON campaigns (ad_account_id)');
  }
});
