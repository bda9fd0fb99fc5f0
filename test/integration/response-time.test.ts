/**
 * Latency from the intended start (open model): a flow's response time runs from its scheduled start to its
 * end, so a tester that starts flows late cannot hide the platform's latency in the lateness.
 */
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import type { LoadShape } from '../../src/load/shape';
import { formatResult } from '../../src/report/result-text';
import { runOptions } from '../support/runs';
import { useTestStack } from '../support/stack';

const stack = useTestStack();
const none = BUILT_IN_PROFILES.none;

async function run(load: LoadShape, faults: FaultProfile): Promise<StandardResult> {
  return stack.withWorker(async () => {
    const handle = await startStressRun(stack.client, runOptions({ faults, faultsName: faults.name, load }));
    return standardResultSchema.parse(await awaitStressRun(stack.client, handle.workflowId));
  });
}

test('when --max-in-flight is the limit, response p95 exceeds duration p95', async () => {
  // Each Drive Intel call takes 1 s (100 s of platform time at scale 0.01): 3 in flight fill the cap at 5 starts/s.
  const slow: FaultProfile = {
    name: 'slow-drive-intel',
    defaults: none.defaults,
    services: { 'drive-intel': { ...none.defaults, latency: { distribution: 'fixed', ms: 100_000 } } },
  };
  const r = await run(
    { model: 'open', start_rate: 5, stages: [{ duration_ms: 4000, target_rate: 5 }], max_in_flight: 3 },
    slow,
  );
  // Drops keep the cap, and the starts made wait for the parent's next tick: late against their schedule.
  expect(r.load!.dropped).toBeGreaterThan(0);
  expect(r.load!.peak_in_flight).toBe(3);
  expect(r.load!.lateness_ms.p50).toBeGreaterThan(0);
  // Each flow's response is at least its duration, so each percentile is too; the lateness makes p95 exceed it.
  expect(r.response_p50_ms!).toBeGreaterThanOrEqual(r.p50_duration_ms);
  for (const p of r.series!.points.filter((p) => p.completed)) {
    expect(p.p95_response_ms!).toBeGreaterThanOrEqual(p.p95_duration_ms);
  }
  expect(r.response_p95_ms).toBeGreaterThan(r.p95_duration_ms);
  expect(formatResult(r)).toMatch(/response from the scheduled start: p50 .* p95 .* p99 /);
});
