import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { FLOWS } from '../../src/flows/catalog';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { runOptions } from '../support/runs';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

const SLOW_MS = 300;

test("a service made slow on purpose shows as that step's service time, not as overhead; other steps stay small", async () => {
  // realtime-feedback: only its first step calls the Meta Publisher (once), and no step has platform work of its
  // own, so at time scale 1 the fixed 300 ms is the only real wait in the flow.
  const slowMeta: FaultProfile = {
    name: 'slow-meta',
    defaults: BUILT_IN_PROFILES.none.defaults,
    services: {
      'meta-publisher': { ...BUILT_IN_PROFILES.none.defaults, latency: { distribution: 'fixed', ms: SLOW_MS } },
    },
  };
  const result = await stack.withWorker(async () => {
    const opts = runOptions({ flow: 'realtime-feedback', faults: slowMeta, count: 10, concurrency: 5, timeScale: 1 });
    return awaitStressRun(stack.client, (await startStressRun(stack.client, opts)).workflowId);
  });
  expect(result.failed).toBe(0);
  const slow = result.step_analysis.meta_insights_feedback;
  // The step makes the slow Meta call, then hands the rows to the ML Service: a write much like the next step's
  // one call. Its service time is the 300 ms plus that write, within 10 % of 300 ms, and never below 300 ms.
  const mlWrite = result.step_analysis.hubspot_webhook_feedback.service_p50_ms ?? 0;
  expect(slow.service_p50_ms ?? 0).toBeGreaterThanOrEqual(SLOW_MS);
  expect(Math.abs((slow.service_p50_ms ?? 0) - mlWrite - SLOW_MS) / SLOW_MS).toBeLessThanOrEqual(0.1);
  // The step end to end is at least its service time; what is left is overhead, reported apart.
  expect(slow.p50_duration_ms).toBeGreaterThanOrEqual(slow.service_p50_ms ?? 0);
  expect(slow.overhead_p50_ms).toBeDefined();
  for (const step of FLOWS['realtime-feedback'].steps.slice(1)) {
    expect(result.step_analysis[step].service_p50_ms ?? Infinity).toBeLessThan(SLOW_MS / 3);
  }
  // The flow's service time carries the slow call too.
  expect(result.service_p50_ms ?? 0).toBeGreaterThanOrEqual(SLOW_MS * 0.9);
});
