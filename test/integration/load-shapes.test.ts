import { request } from 'undici';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import type { LoadShape } from '../../src/load/shape';
import type { StandardResult } from '../../src/result/schema';
import { standardResultSchema } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { parseThreshold } from '../../src/result/thresholds';
import { runCommand } from '../support/spawn';
import { testStackEnv, useTestStack } from '../support/stack';
import { runOptions } from '../support/runs';

const stack = useTestStack();

const none = BUILT_IN_PROFILES.none;

async function run(load: LoadShape, faults: FaultProfile = none, childrenPerRun?: number): Promise<StandardResult> {
  return stack.withWorker(async () => {
    const opts = runOptions({ faults, faultsName: faults.name, load });
    const handle = await startStressRun(stack.client, opts, undefined, childrenPerRun ? { childrenPerRun } : {});
    return standardResultSchema.parse(await awaitStressRun(stack.client, handle.workflowId));
  });
}

const constant = (rate: number, seconds: number, maxInFlight = 200): LoadShape => ({
  model: 'open',
  start_rate: rate,
  stages: [{ duration_ms: seconds * 1000, target_rate: rate }],
  max_in_flight: maxInFlight,
});

test('an open model at 2 flows/s for 10 s starts 20 flows, achieved within 10% of offered', async () => {
  const r = await run(constant(2, 10));
  expect(r.total_operations).toBe(20);
  expect(r.completed_operations).toBe(20);
  const l = r.load!;
  expect(l).toMatchObject({ model: 'open', scheduled: 20, started: 20, dropped: 0, offered_rate: 2 });
  expect(l.achieved_rate).toBeGreaterThanOrEqual(1.8);
  expect(l.achieved_rate).toBeLessThanOrEqual(2.2);
  // Paced by the schedule: each 5 s interval got about 10 starts.
  const [first, second] = r.series!.points;
  for (const p of [first, second]) expect(Math.abs(p.started - 10)).toBeLessThanOrEqual(1);
});

test('starts past --max-in-flight are dropped, counted against success, and not made up', async () => {
  // Each Drive Intel call takes 1 s (100 s of platform time at scale 0.01): a flow holds its place 2 s or more.
  const slow: FaultProfile = {
    name: 'slow-drive-intel',
    defaults: none.defaults,
    services: { 'drive-intel': { ...none.defaults, latency: { distribution: 'fixed', ms: 100_000 } } },
  };
  const r = await run(constant(5, 4, 3), slow);
  const l = r.load!;
  expect(l.scheduled).toBe(20);
  expect(l.started + l.dropped).toBe(20);
  expect(l.dropped).toBeGreaterThan(0);
  // At most 3 in flight, each 2 s or more, over 4 s: no more than 3 × 3 starts.
  expect(l.started).toBeLessThanOrEqual(9);
  expect(l.peak_in_flight).toBeLessThanOrEqual(3);
  expect(r.total_operations).toBe(20);
  expect(r.failure_points.dropped).toBe(l.dropped);
  expect(r.success_rate).toBeCloseTo((100 * r.successful) / 20, 1);
  const children = await stack.client.workflow.count(`StressRunId="${r.run_id}" AND WorkflowType!="stressRun"`);
  expect(children.count).toBe(l.started);
});

test('continue-as-new carries the schedule and the flows in flight: none lost, none terminated', async () => {
  // Drive Intel calls of 300 ms keep every flow in flight across the parent's continue-as-new every 7 starts.
  const slowish: FaultProfile = {
    name: 'drive-intel-300ms',
    defaults: none.defaults,
    services: { 'drive-intel': { ...none.defaults, latency: { distribution: 'fixed', ms: 30_000 } } },
  };
  const r = await run(constant(3, 6), slowish, 5);
  expect(r.total_operations).toBe(18);
  expect(r.completed_operations).toBe(18);
  expect(r.load).toMatchObject({ scheduled: 18, started: 18, dropped: 0 });
  expect(r.successful).toBe(18);
  // Starts come in ticks, so a run may start a few more than 5 before it continues: at least two runs.
  const runs = await stack.client.workflow.count(`WorkflowId="${r.run_id}"`);
  expect(runs.count).toBeGreaterThanOrEqual(2);
  const children = (status: string) =>
    stack.client.workflow.count(
      `StressRunId="${r.run_id}" AND WorkflowType!="stressRun" AND ExecutionStatus="${status}"`,
    );
  expect((await children('Completed')).count).toBe(18);
  expect((await children('Terminated')).count).toBe(0);
});

test("a stage ramp's interval rates follow the stages", async () => {
  // 0 → 3/s over 10 s, then 3/s for 5 s: 3.75, 11.25 and 15 expected starts in the three 5 s intervals.
  const r = await run({
    model: 'open',
    start_rate: 0,
    stages: [
      { duration_ms: 10_000, target_rate: 3 },
      { duration_ms: 5_000, target_rate: 3 },
    ],
    max_in_flight: 200,
  });
  expect(r.load!.scheduled).toBe(30);
  const started = r.series!.points.map((p) => p.started);
  [3.75, 11.25, 15].forEach((expected, i) => expect(Math.abs(started[i] - expected)).toBeLessThanOrEqual(2));
  expect(started.reduce((a, b) => a + b, 0)).toBe(30);
});

test('a run sets its profile capacity on the running stack, and a run without one lifts it', async () => {
  const url = `${stack.endpoints.services['titan-core']}/admin/capacity`;
  const limited: FaultProfile = {
    ...none,
    name: 'titan-limited',
    capacity: { 'titan-core': { max_in_work: 3, max_waiting: 50, overflow: '503', retry_after_seconds: 1 } },
  };
  await run(constant(2, 1), limited);
  const set = (await (await request(url)).body.json()) as { capacity: { max_in_work: number } | null };
  expect(set.capacity?.max_in_work).toBe(3);
  await run(constant(2, 1));
  const lifted = (await (await request(url)).body.json()) as { capacity: unknown };
  expect(lifted.capacity).toBeNull();
});

test('a breakpoint search finds the rate the ML Service capacity predicts', async () => {
  /*
   * The ML Service works on one request at a time, each 1 s (100 s of platform time at scale 0.01, plus the
   * route's own work), and every creative flow makes one call to it: it serves at most 1 / 1 s = 1 flow/s. Below
   * that the queue stays short; above it the queue, and ctr_prediction's p95 with it, grows over the hold.
   * Steps 0.4, 0.6, 0.9, 1.35 flows/s: the last that holds is 0.6 or 0.9 (0.9 is 90% busy, or a little over
   * when the route's work counts) and the first that fails 0.9 or 1.35.
   */
  const limited: FaultProfile = {
    name: 'ml-capacity-1',
    defaults: none.defaults,
    services: { 'ml-service': { ...none.defaults, latency: { distribution: 'fixed', ms: 100_000 } } },
    capacity: { 'ml-service': { max_in_work: 1, max_waiting: 1000, overflow: '503', retry_after_seconds: 1 } },
  };
  const r = await run(
    {
      model: 'breakpoint',
      start_rate: 0.4,
      step_factor: 1.5,
      hold_ms: 20_000,
      max_steps: 5,
      max_in_flight: 200,
      thresholds: [parseThreshold('success_rate>=99'), parseThreshold('ctr_prediction.p95_duration_ms<3000')],
    },
    limited,
  );
  const b = r.load!.breakpoint!;
  // Any other verdict fails with every step: rate, starts, p95, lateness and which check failed.
  if (b.verdict !== 'found') throw new Error(`verdict ${b.verdict}; steps: ${JSON.stringify(b.steps)}`);
  expect(b.highest_passing_rate).toBeGreaterThanOrEqual(0.6);
  expect(b.highest_passing_rate).toBeLessThanOrEqual(0.9);
  expect(b.first_failing_rate).toBeGreaterThanOrEqual(0.9);
  expect(b.first_failing_rate).toBeLessThanOrEqual(1.35);
  expect(b.steps.every((s) => s.started + s.dropped === s.scheduled)).toBe(true);
  expect(r.completed_operations).toBe(r.total_operations);
});

test.each([
  [['creative-flow', '--rate', '-2', '--duration', '10s'], /^--rate must be a positive number/],
  [['creative-flow', '--stages', '30s:2/s,2m'], /^bad stage '2m' in --stages/],
  [['creative-flow', '--rate', '2', '--duration', '90'], /^--duration needs a number and a unit/],
  [['creative-flow', '--rate', '2', '--count', '10', '--concurrency', '4'], /^--rate does not go with --concurrency/],
  [['all', '--find-breakpoint', '--threshold', 'success_rate>=99'], /^--find-breakpoint searches one flow/],
])('start-workflow %j exits 2 with one line and starts nothing', async (args, message) => {
  const before = (await stack.client.workflow.count('WorkflowType="stressRun"')).count;
  const { code, stderr } = await runCommand('npm', ['run', '--silent', 'start-workflow', ...args], testStackEnv());
  expect(code).toBe(2);
  const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect((await stack.client.workflow.count('WorkflowType="stressRun"')).count).toBe(before);
});
