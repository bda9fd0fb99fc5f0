import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { FLOWS } from '../../src/flows/catalog';
import { creativeBatch } from '../../src/market/creatives';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

const SEED = 31337;

test('successive cycles learn: the CTR error on new actuals falls, and promoted ads are mostly the truly best', async () => {
  // Learning starts from the initial model: models other runs trained in this test database are retired.
  await stack.pool.query('DELETE FROM ml_models');
  const result = await stack.runFlow({
    flow: 'self-learning-cycle',
    count: 12,
    concurrency: 1,
    timeScale: 0.001,
    seed: SEED,
  });
  expect(result).toMatchObject({ status: 'completed', completed_operations: 12, failed: 0 });
  expect(Object.keys(result.step_analysis)).toEqual([...FLOWS['self-learning-cycle'].steps]);
  // The learning curve is in the result, one point per cycle.
  const curve = result.learning_curve!;
  expect(curve.map((p) => p.cycle)).toEqual([...Array(12).keys()]);
  const first = curve[0].mae;
  const lastThree = curve.slice(-3).reduce((s, p) => s + p.mae, 0) / 3;
  expect(lastThree).toBeLessThan(0.6 * first);
  // Predictions name the model version that made them, and later cycles use retrained versions.
  expect(curve[0].model_version).toBe('ctr-v1');
  expect(new Set(curve.map((p) => p.model_version)).size).toBeGreaterThan(3);

  // Promotions: how often the promoted ad is the truly best of its ad set (chance is 1 in 4).
  const promoted = await stack.pool.query<{ ad_set_id: string; ad_id: string; cycle_number: number }>(
    `SELECT ad_set_id, ad_id, cycle_number FROM promotions WHERE idempotency_key LIKE $1 AND decision = 'promote'`,
    [`${result.run_id}-%`],
  );
  expect(promoted.rowCount).toBeGreaterThanOrEqual(10);
  let trulyBest = 0;
  for (const p of promoted.rows) {
    const ads = creativeBatch(SEED, p.cycle_number).filter((c) => c.adSetId === p.ad_set_id);
    const best = ads.reduce((a, b) => (b.ctr > a.ctr ? b : a));
    if (best.adId === p.ad_id) trulyBest++;
  }
  expect(trulyBest / promoted.rowCount!).toBeGreaterThanOrEqual(0.6);

  // The loops wrote their tables: cycles, patterns per account, only aggregates across accounts, indexed winners.
  const counts = await stack.pool.query(
    `SELECT (SELECT count(*)::int FROM learning_cycles WHERE idempotency_key LIKE $1) AS cycles,
            (SELECT count(*)::int FROM winning_patterns WHERE ad_account_id LIKE 'act_3%') AS patterns,
            (SELECT count(*)::int FROM cross_account_patterns) AS cross_patterns,
            (SELECT count(*)::int FROM creative_dna_extractions d JOIN videos v ON v.id = d.video_id
               WHERE v.idempotency_key LIKE $1) AS indexed`,
    [`${result.run_id}-%`],
  );
  expect(counts.rows[0]).toMatchObject({ cycles: 12, patterns: 12, cross_patterns: 4 });
  expect(counts.rows[0].indexed).toBe(promoted.rowCount);
  const crossing = await stack.pool.query('SELECT pattern FROM cross_account_patterns');
  for (const r of crossing.rows) expect(Object.keys(r.pattern)).toEqual(['mean_lift']);
});

test('a retried loop never counts its data twice', async () => {
  const ml = stack.endpoints.services['ml-service'];
  const key = `retry-${randomUUID()}`;
  const post = async (path: string, body: unknown, k: string) => {
    const res = await request(`${ml}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': k },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const cycle = { seed: 777, cycle: 0 };
  const first = await post('/learning/predict-batch', cycle, key);
  const again = await post('/learning/predict-batch', cycle, key);
  expect(again.body).toEqual(first.body);
  const predictions = await stack.pool.query(
    `SELECT count(*)::int AS n FROM predictions WHERE idempotency_key LIKE $1`,
    [`${key}:%`],
  );
  expect(predictions.rows[0].n).toBe(creativeBatch(777, 0).length);
  const accuracy1 = await post('/learning/accuracy', { ...cycle, predictions_key: key }, `${key}:accuracy`);
  const accuracy2 = await post('/learning/accuracy', { ...cycle, predictions_key: key }, `${key}:accuracy`);
  expect([accuracy1.status, accuracy2.status]).toEqual([201, 200]);
  expect(accuracy2.body.learning_cycle_id).toBe(accuracy1.body.learning_cycle_id);
  const rows = await stack.pool.query(`SELECT count(*)::int AS n FROM learning_cycles WHERE idempotency_key = $1`, [
    `${key}:accuracy`,
  ]);
  expect(rows.rows[0].n).toBe(1);
});
