import type { FlowOutcome, StepRecord } from '../../src/flows/types';
import { standardResultSchema } from '../../src/result/schema';
import { addOutcome, emptyRun, toResult } from '../../src/stats/aggregate';

const step = (
  name: string,
  attempts: number,
  duration: number,
  status: StepRecord['status'] = 'completed',
): StepRecord => ({
  step: name,
  status,
  started_at: 0,
  duration_ms: duration,
  attempts,
  service_ms: duration / 2,
  attempt_service_ms: Array.from({ length: attempts }, () => duration / 2 / attempts),
  wait_ms: 0,
  backoff_ms: 0,
  unreported_attempts: 0,
  overhead_ms: duration / 2,
});

const meta = (status: 'running' | 'completed', total: number) => ({
  flow: 'creative-flow',
  runId: 'r1',
  status,
  totalOperations: total,
  concurrency: 2,
  elapsedMs: 2000,
  stepOrder: ['a', 'b', 'c'],
  params: { count: total, concurrency: 2, seed: 1, faults: 'none', time_scale: 1 },
});

test('outcomes fold into counts that add up, with retries and failure points per step', () => {
  const acc = emptyRun();
  const outcomes: FlowOutcome[] = [
    { outcome: 'completed', duration_ms: 100, steps: [step('a', 1, 40), step('b', 3, 60)], refs: {} },
    { outcome: 'rejected', duration_ms: 50, steps: [step('a', 2, 50)], refs: {} },
    {
      outcome: 'failed',
      duration_ms: 300,
      steps: [step('a', 1, 10), step('b', 8, 290, 'failed')],
      failed_step: 'b',
      error: 'boom',
      refs: {},
    },
  ];
  for (const o of outcomes) addOutcome(acc, o);
  const result = standardResultSchema.parse(toResult(acc, meta('completed', 3)));
  expect(result).toMatchObject({ successful: 2, failed: 1, rejected: 1, completed_operations: 3 });
  expect(result.success_rate).toBeCloseTo(66.67, 2);
  expect(result.operations_per_second).toBe(1.5);
  expect(result.failure_points).toEqual({ b: 1 });
  expect(Object.keys(result.step_analysis)).toEqual(['a', 'b']);
  expect(result.step_analysis.a).toMatchObject({
    executions: 3,
    attempts: 4,
    retries: 1,
    failures: 0,
    success_rate: 100,
  });
  expect(result.step_analysis.b).toMatchObject({
    executions: 2,
    attempts: 11,
    retries: 9,
    failures: 1,
    success_rate: 50,
  });
  expect(result.p99_duration_ms).toBeGreaterThanOrEqual(result.p50_duration_ms);
});

test('a running run validates with fewer completed operations; a completed one must have them all', () => {
  const acc = emptyRun();
  addOutcome(acc, { outcome: 'completed', duration_ms: 10, steps: [], refs: {} });
  expect(standardResultSchema.safeParse(toResult(acc, meta('running', 5))).success).toBe(true);
  expect(standardResultSchema.safeParse(toResult(acc, meta('completed', 5))).success).toBe(false);
});

test('the accumulator survives a JSON round trip (continue-as-new carries it)', () => {
  const acc = emptyRun();
  addOutcome(acc, { outcome: 'completed', duration_ms: 10, steps: [step('a', 1, 5)], refs: {} });
  const carried = JSON.parse(JSON.stringify(acc));
  addOutcome(acc, { outcome: 'completed', duration_ms: 20, steps: [step('a', 2, 9)], refs: {} });
  addOutcome(carried, { outcome: 'completed', duration_ms: 20, steps: [step('a', 2, 9)], refs: {} });
  expect(toResult(carried, meta('completed', 2))).toEqual(toResult(acc, meta('completed', 2)));
});
