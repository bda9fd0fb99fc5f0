import { formatResult } from '../../src/cli/format';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { hubspotSecret, signV3 } from '../../src/contracts/hubspot';
import { deliverHubspot } from '../support/hubspot';
import { rowsPerFlow } from '../support/runs';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

async function run(count: number, concurrency: number, seed: number): Promise<StandardResult> {
  return stack.runFlow({ flow: 'realtime-feedback', count, concurrency, timeScale: 0.01, seed });
}

test('30 realtime-feedback flows: events reach the model once, promotions are recorded, latency is measured', async () => {
  const result = await run(30, 10, 77);
  if (process.env.H3_PRINT) console.log(formatResult(result));
  expect(result).toMatchObject({ total_operations: 30, failed: 0, successful: 30 });
  expect(standardResultSchema.safeParse(result).success).toBe(true);

  // Feedback latency: one measurement per flow, positive, summarized in the result and printed.
  const latency = result.measurements?.feedback_latency_ms;
  expect(latency?.count).toBe(30);
  expect(latency!.p50).toBeGreaterThan(0);
  expect(latency!.p99).toBeGreaterThanOrEqual(latency!.p50);
  expect(formatResult(result)).toMatch(/feedback_latency_ms\s+30/);

  // Rows once per flow: one signal per ad (four ads per ad set), one promotion decision.
  const promotions = await rowsPerFlow(stack.pool, 'promotions', result.run_id, 'auto_promotion_trigger');
  expect(promotions.size).toBe(30);
  expect([...promotions.values()].every((n) => n === 1)).toBe(true);
  const perFlow = await stack.pool.query(
    `SELECT flow_key, count(*)::int AS n, count(applied_at)::int AS applied, count(DISTINCT model_version)::int AS versions
     FROM feedback_signals WHERE flow_key LIKE $1 GROUP BY flow_key`,
    [`${result.run_id}-%`],
  );
  expect(perFlow.rowCount).toBe(30);
  for (const f of perFlow.rows)
    expect({ n: f.n, applied: f.applied, versions: f.versions }).toEqual({ n: 4, applied: 4, versions: 1 });

  // Every event (Meta rows and HubSpot deal events) reached the model after it happened.
  const events = await stack.pool.query(
    `SELECT source, count(*)::int AS n, count(processed_at)::int AS processed,
            min(extract(epoch FROM (processed_at - occurred_at)))::float AS min_s
     FROM feedback_events WHERE flow_key LIKE $1 GROUP BY source`,
    [`${result.run_id}-%`],
  );
  const bySource = Object.fromEntries(events.rows.map((r) => [r.source, r]));
  expect(bySource.meta.n).toBe(120);
  expect(bySource.hubspot.n).toBeGreaterThan(0);
  for (const r of events.rows) {
    expect(r.processed).toBe(r.n);
    expect(r.min_s).toBeGreaterThan(0);
  }

  // The posteriors took in every signal (ad ids are shared across seeds, so earlier runs may have added more).
  const sums = await stack.pool.query(
    `SELECT (SELECT sum(impressions)::float FROM feedback_signals WHERE flow_key LIKE $1) AS signals,
            (SELECT sum(p.impressions)::float FROM ad_posteriors p WHERE p.ad_id IN
               (SELECT ad_id FROM feedback_signals WHERE flow_key LIKE $1)) AS posteriors`,
    [`${result.run_id}-%`],
  );
  expect(sums.rows[0].signals).toBeGreaterThan(0);
  expect(sums.rows[0].posteriors).toBeGreaterThanOrEqual(sums.rows[0].signals);

  // Each decision names its reason; the first look at an ad set with enough evidence promotes its leader.
  const decisions = await stack.pool.query(`SELECT decision, reason FROM promotions WHERE idempotency_key LIKE $1`, [
    `${result.run_id}-%`,
  ]);
  for (const d of decisions.rows) expect(d.reason.length).toBeGreaterThan(5);
  expect(decisions.rows.some((d) => d.decision === 'promote')).toBe(true);
});

test('the realtime HubSpot webhook refuses a bad signature with 401 and stores nothing; bad events get a 400 naming the field', async () => {
  const url = `${stack.endpoints.services['ml-service']}/webhooks/hubspot/realtime`;
  const ref = `signature-test-${Date.now()}`;
  const event = {
    eventId: 1,
    subscriptionType: 'deal.propertyChange',
    objectId: 4_100_000_000 + Math.floor(Math.random() * 1e8),
    occurredAt: Date.now(),
    attemptNumber: 0,
    propertyName: 'gv_feedback_ref',
    propertyValue: ref,
  };
  const send = (body: string, signature: string, timestamp = String(Date.now())) =>
    deliverHubspot(url, body, signature, timestamp);
  const body = JSON.stringify([event]);
  const now = String(Date.now());
  // Signed for another body: refused.
  const forged = await send(body, signV3(hubspotSecret(), 'POST', url, '[]', now), now);
  expect(forged.status).toBe(401);
  const stored = await stack.pool.query(`SELECT count(*)::int AS n FROM feedback_events WHERE flow_key = $1`, [ref]);
  expect(stored.rows[0].n).toBe(0);

  const badBody = JSON.stringify([{ ...event, occurredAt: 'yesterday' }]);
  const bad = await send(badBody, signV3(hubspotSecret(), 'POST', url, badBody, now), now);
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/occurredAt/);

  expect((await send(body, signV3(hubspotSecret(), 'POST', url, body, now), now)).status).toBe(200);
  const after = await stack.pool.query(`SELECT count(*)::int AS n FROM feedback_events WHERE flow_key = $1`, [ref]);
  expect(after.rows[0].n).toBe(1);
});
