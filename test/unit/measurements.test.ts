import type { FlowOutcome } from '../../src/flows/types';
import { formatResult } from '../../src/cli/format';
import { standardResultSchema } from '../../src/result/schema';
import { addOutcome, emptyRun, toResult } from '../../src/stats/aggregate';

const outcome = (measurements?: Record<string, number>): FlowOutcome => ({
  outcome: 'completed',
  duration_ms: 100,
  steps: [],
  refs: {},
  ...(measurements ? { measurements } : {}),
});

const meta = {
  flow: 'realtime-feedback',
  runId: 'r1',
  status: 'completed' as const,
  totalOperations: 101,
  concurrency: 2,
  elapsedMs: 1000,
  stepOrder: [],
  params: { count: 101, concurrency: 2, seed: 1, faults: 'none', time_scale: 1 },
};

test('flows measurements are summarized per name into the result, which stays valid', () => {
  const acc = emptyRun();
  for (let i = 1; i <= 100; i++) addOutcome(acc, outcome({ feedback_latency_ms: i * 10 }));
  addOutcome(acc, outcome());
  const result = toResult(acc, meta);
  expect(standardResultSchema.parse(result)).toEqual(result);
  const m = result.measurements!.feedback_latency_ms;
  expect(m.count).toBe(100);
  expect(m.avg).toBeCloseTo(505, 0);
  // The histogram's percentiles are within about 1% of the exact ones.
  expect(m.p50 / 500).toBeGreaterThan(0.98);
  expect(m.p50 / 500).toBeLessThan(1.02);
  expect(m.p99 / 990).toBeGreaterThan(0.98);
  expect(m.p99).toBeLessThanOrEqual(1000);
  expect(formatResult(result)).toMatch(/feedback_latency_ms\s+100\s+505\.0/);
});

test('a run without measurements has no measurements field, and non-finite values are dropped', () => {
  const acc = emptyRun();
  addOutcome(acc, outcome());
  expect(toResult(acc, { ...meta, totalOperations: 1 })).not.toHaveProperty('measurements');
  addOutcome(acc, outcome({ x: Number.NaN }));
  expect(toResult(acc, { ...meta, totalOperations: 2 })).not.toHaveProperty('measurements');
});
