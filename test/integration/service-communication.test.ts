import { request } from 'undici';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { FLOWS } from '../../src/flows/catalog';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { scrapeMetrics } from '../../src/bench/scrape-metrics';
import type { Sample } from '../../src/stats/prometheus-text';
import { useTestStack } from '../support/stack';
import { firstFailure, rowsPerFlow, runOptions, childWorkflowId } from '../support/runs';

const STEPS = FLOWS['service-communication'].steps;
const COUNT = 10;

const stack = useTestStack();

/** The Gateway's Prometheus metrics, parsed into samples. */
async function gatewayMetrics(): Promise<Sample[]> {
  return (await scrapeMetrics(`${stack.endpoints.services.gateway}/metrics`)).filter((s) =>
    s.name.startsWith('gateway_'),
  );
}

const transitionsTo = (samples: Sample[], to: string) =>
  samples
    .filter((s) => s.name === 'gateway_circuit_transitions_total' && s.labels.to === to)
    .reduce((sum, s) => sum + s.value, 0);

async function run(faults: FaultProfile, onProgress?: () => Promise<void>): Promise<StandardResult> {
  return stack.withWorker(async () => {
    const opts = runOptions({ flow: 'service-communication', count: COUNT, concurrency: 5, faults });
    const handle = await startStressRun(stack.client, opts);
    let done = false;
    const watching = (async () => {
      while (onProgress && !done) await onProgress();
    })();
    try {
      return await awaitStressRun(stack.client, handle.workflowId);
    } finally {
      done = true;
      await watching;
    }
  });
}

test('10 flows: every path verified, breakers seen open, half-open and closed in the metrics, rows once', async () => {
  const before = await gatewayMetrics();
  // Gauge states seen while the run goes, for the flows' own (scoped) breakers.
  const seen = new Set<string>();
  const result = await run(BUILT_IN_PROFILES.none, async () => {
    for (const s of await gatewayMetrics()) {
      if (s.name === 'gateway_circuit_state' && s.labels.scope && s.value === 1) seen.add(s.labels.state);
    }
  });
  expect(() => standardResultSchema.parse(result)).not.toThrow();
  expect({ failed: result.failed, first_failure: await firstFailure(stack.client, result) }).toEqual({
    failed: 0,
    first_failure: null,
  });
  expect(Object.keys(result.step_analysis)).toEqual([...STEPS]);
  for (const step of STEPS) expect(result.step_analysis[step]).toMatchObject({ executions: COUNT, success_rate: 100 });

  // Each flow's breaker went closed → open → half_open → closed, as the Gateway's counters and gauge show.
  const after = await gatewayMetrics();
  for (const to of ['open', 'half_open', 'closed']) {
    expect({ to, n: transitionsTo(after, to) - transitionsTo(before, to) }).toEqual({ to, n: COUNT });
  }
  expect(seen.has('open')).toBe(true);
  for (let i = 0; i < COUNT; i++) {
    const scope = `${childWorkflowId(result.run_id, i)}:circuit_breaker`;
    const closed = after.find(
      (s) => s.name === 'gateway_circuit_state' && s.labels.scope === scope && s.labels.state === 'closed',
    );
    expect({ scope, closed: closed?.value }).toEqual({ scope, closed: 1 });
  }
  // The shared breakers were never tripped by the flows' forced failures.
  const shared = after.filter((s) => s.name === 'gateway_circuit_state' && s.labels.scope === '' && s.value === 1);
  expect(shared.map((s) => s.labels.state)).toEqual(Array(5).fill('closed'));
  // The retries slept: three backoffs per flow in the histogram.
  const backoffs = (samples: Sample[]) =>
    samples.filter((s) => s.name === 'gateway_retry_backoff_seconds_count').reduce((sum, s) => sum + s.value, 0);
  expect(backoffs(after) - backoffs(before)).toBeGreaterThanOrEqual(3 * COUNT);

  // One queue row per flow, produced by the ML Service; the webhook's events stored once per flow.
  const queued = await rowsPerFlow(stack.pool, 'pending_ad_changes', result.run_id, 'ml_to_meta_queue');
  expect({ flows: queued.size, once: [...queued.values()].every((n) => n === 1) }).toEqual({
    flows: COUNT,
    once: true,
  });
  const events = await stack.pool.query(
    `SELECT ad_id, count(*)::int AS n FROM feedback_events WHERE source = 'hubspot' AND ad_id LIKE $1 GROUP BY 1`,
    [`sc_${result.run_id}-%_ad`],
  );
  expect(events.rows).toHaveLength(COUNT);
  expect(events.rows.every((r) => r.n === 3)).toBe(true);
});

test('under 20% injected 5xx on the Gateway and the ML Service, retries absorb the faults and no flow fails', async () => {
  const flaky = { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.2 };
  const faults: FaultProfile = {
    name: 'flaky-gateway-and-ml',
    defaults: BUILT_IN_PROFILES.none.defaults,
    services: { gateway: flaky, 'ml-service': flaky },
  };
  const result = await run(faults);
  expect({ failed: result.failed, first_failure: await firstFailure(stack.client, result) }).toEqual({
    failed: 0,
    first_failure: null,
  });
  const retried = ['gateway_routing', 'ml_to_meta_queue', 'hubspot_to_ml_webhook'].map(
    (s) => result.step_analysis[s].retries,
  );
  expect(retried.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  const queued = await rowsPerFlow(stack.pool, 'pending_ad_changes', result.run_id, 'ml_to_meta_queue');
  expect({ flows: queued.size, once: [...queued.values()].every((n) => n === 1) }).toEqual({
    flows: COUNT,
    once: true,
  });
});

test('bad input is refused with a 400 naming the field, through the Gateway', async () => {
  const res = await request(`${stack.endpoints.services.gateway}/api/ml-service/queue-bridge/status-changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'bad-input-test' },
    body: JSON.stringify({ ad_account_id: '42', ad_set_id: 'a', action: 'pause', reason: 'r' }),
  });
  expect(res.statusCode).toBe(400);
  expect(await res.body.json()).toMatchObject({ field: 'ad_account_id' });
  const scoped = await request(`${stack.endpoints.services.gateway}/api/ml-service/health`, {
    headers: { 'x-sim-breaker-scope': 'x'.repeat(201) },
  });
  expect(scoped.statusCode).toBe(400);
  expect(await scoped.body.json()).toMatchObject({ field: 'x-sim-breaker-scope' });
});
