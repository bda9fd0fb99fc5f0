import { FLOWS } from '../../src/flows/catalog';
import { createHttpAgent } from '../../src/activities/http';
import { plainCreativeFlow } from '../../src/bench/plain-creative';
import { makeRunId, simSettings } from '../../src/cli/run-stress';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { summaryQuery } from '../../src/workflows/definitions';
import { scrapeMetrics } from '../../src/bench/scrape-metrics';
import { sumSamples } from '../../src/stats/prometheus-text';
import { useTestStack } from '../support/stack';
import { expectRowsOncePerFlow, childWorkflowId, runOptions } from '../support/runs';

const STEPS = FLOWS['creative-flow'].steps;

const stack = useTestStack();

/** Errors the two flaky services injected so far, from their own Prometheus counters. */
async function injectedErrors(): Promise<Record<'drive-intel' | 'ml-service', number>> {
  const read = async (service: 'drive-intel' | 'ml-service') =>
    sumSamples(await scrapeMetrics(`${stack.endpoints.services[service]}/metrics`), 'faults_injected_total', {
      kind: 'error',
    });
  return { 'drive-intel': await read('drive-intel'), 'ml-service': await read('ml-service') };
}

async function run(faults: FaultProfile = BUILT_IN_PROFILES.none): Promise<StandardResult> {
  return stack.runFlow({ faults, faultsName: faults.name });
}

test('20 flows at concurrency 5 give a valid result whose counts add up and whose rows exist once per flow', async () => {
  const result = await run();
  expect(() => standardResultSchema.parse(result)).not.toThrow();
  expect(result).toMatchObject({ flow: 'creative-flow', status: 'completed', total_operations: 20, concurrent: 5 });
  expect(result.successful + result.failed).toBe(20);
  expect(result.failed).toBe(0);
  expect(result.success_rate).toBe(100);
  expect(Object.keys(result.step_analysis)).toEqual(result.rejected === 20 ? STEPS.slice(0, 4) : [...STEPS]);
  for (const step of STEPS.slice(0, 4)) expect(result.step_analysis[step].executions).toBe(20);
  for (const step of STEPS.slice(4)) expect(result.step_analysis[step]?.executions ?? 0).toBe(20 - result.rejected);
  expect(result.p50_duration_ms).toBeLessThanOrEqual(result.p95_duration_ms);
  expect(result.p95_duration_ms).toBeLessThanOrEqual(result.p99_duration_ms);
  await expectRowsOncePerFlow(stack.pool, result);

  // The summary query of the closed run answers the very result the run returned, and so does stress_runs.
  const queried = await stack.withWorker(() => stack.client.workflow.getHandle(result.run_id).query(summaryQuery));
  expect(queried).toEqual(result);
  const stored = await stack.pool.query('SELECT result FROM stress_runs WHERE run_id = $1', [result.run_id]);
  expect(stored.rows[0].result).toEqual(result);
});

test('with 30% 5xx on two services, retries show in the result and in history, and no row is written twice', async () => {
  const flaky = { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.3 };
  const faults: FaultProfile = {
    name: 'flaky-drive-intel-and-ml',
    defaults: BUILT_IN_PROFILES.none.defaults,
    services: { 'drive-intel': flaky, 'ml-service': flaky },
  };
  const before = await injectedErrors();
  const result = await run(faults);
  const after = await injectedErrors();
  expect(result.successful + result.failed).toBe(20);
  expect(result.failed).toBe(0);
  // The services injected 503s (their own counters), and the result counts them as retries, step by step.
  const injected = {
    'drive-intel': after['drive-intel'] - before['drive-intel'],
    'ml-service': after['ml-service'] - before['ml-service'],
  };
  expect(injected['drive-intel']).toBeGreaterThan(0);
  expect(injected['ml-service']).toBeGreaterThan(0);
  const retried = (step: string) => ({ step, retried: result.step_analysis[step].retries > 0, injected });
  for (const step of ['video_upload', 'scene_extraction', 'ctr_prediction']) {
    const s = result.step_analysis[step];
    expect(retried(step)).toEqual({ step, retried: true, injected });
    expect(s.attempts).toBe(s.executions + s.retries);
  }
  // Titan-Core had no faults: its step made one call per flow.
  expect(result.step_analysis.council_evaluation.retries).toBe(0);
  await expectRowsOncePerFlow(stack.pool, result);

  // History: a retried activity's started event carries its attempt count and the last failure.
  let found = false;
  for (let i = 0; i < 20 && !found; i++) {
    const history = await stack.client.workflow.getHandle(childWorkflowId(result.run_id, i)).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        expect(started.lastFailure?.message).toMatch(/answered 503/);
        found = true;
      }
    }
  }
  expect(found).toBe(true);
});

test('a run longer than one parent history continues as new, carrying its totals, and the query follows it', async () => {
  const result = await stack.runFlow({ count: 12, concurrency: 4 }, { childrenPerRun: 5 });
  expect(result).toMatchObject({ status: 'completed', total_operations: 12, completed_operations: 12, failed: 0 });
  await expectRowsOncePerFlow(stack.pool, result);
  const runs: string[] = [];
  for await (const execution of stack.client.workflow.list({ query: `WorkflowId="${result.run_id}"` })) {
    runs.push(execution.status.name);
  }
  expect(runs.sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
  const queried = await stack.withWorker(() => stack.client.workflow.getHandle(result.run_id).query(summaryQuery));
  expect(queried).toEqual(result);
});

test("the benchmark's plain runner sends the activities' requests: every step once, in the flow's order", async () => {
  const agent = createHttpAgent();
  const runId = makeRunId('plain');
  try {
    for (let index = 0; index < 4; index++) {
      const timed: string[] = [];
      const outcome = await plainCreativeFlow(
        { services: stack.endpoints.services, agent },
        simSettings(runOptions()),
        runId,
        index,
        7,
        (step, ms) => {
          expect(ms).toBeGreaterThan(0);
          timed.push(step);
        },
      );
      expect(timed).toEqual(outcome === 'rejected' ? STEPS.slice(0, 4) : [...STEPS]);
      const queued = await stack.pool.query(
        'SELECT count(*)::int AS n FROM pending_ad_changes WHERE idempotency_key = $1',
        [`${runId}-${index}:meta_queue`],
      );
      expect(queued.rows[0].n).toBe(outcome === 'rejected' ? 0 : 1);
    }
  } finally {
    await agent.close();
  }
});
