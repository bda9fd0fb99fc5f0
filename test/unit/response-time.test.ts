import type { FlowOutcome } from '../../src/flows/types';
import { standardResultSchema } from '../../src/result/schema';
import { toResult } from '../../src/stats/aggregate';
import { seriesView } from '../../src/stats/series';
import { RunTotals } from '../../src/workflows/stress-run/totals';

const done = (duration: number): FlowOutcome => ({ outcome: 'completed', duration_ms: duration, steps: [], refs: {} });
const meta = {
  flow: 'creative-flow',
  runId: 'r1',
  status: 'completed' as const,
  totalOperations: 100,
  concurrency: 10,
  elapsedMs: 60_000,
  stepOrder: [],
  params: { count: 100, concurrency: 10, seed: 1, faults: 'none', time_scale: 1 },
};

/**
 * 100 flows scheduled 100 ms apart, each 200 ms long, from a tester that falls 10 ms further behind at each start:
 * flow i starts 10·i ms late and ends 200 ms after it started, so its response is 200 + 10·i ms.
 */
function lateSchedule(): RunTotals {
  const totals = RunTotals.open(undefined, 0, false);
  for (let i = 0; i < 100; i++) {
    const scheduledFor = i * 100;
    const startedAt = scheduledFor + 10 * i;
    const endedAt = startedAt + 200;
    totals.started(startedAt, 1, scheduledFor);
    totals.ended(done(200), endedAt, 0, { workflowId: `r1-${i}`, responseMs: endedAt - scheduledFor });
  }
  return totals;
}

test('a late schedule: durations stay 200 ms while the response from the scheduled start shows the lateness', () => {
  const r = standardResultSchema.parse(toResult(lateSchedule().acc, meta));
  expect(r.p95_duration_ms).toBeCloseTo(200, 0);
  // Ranks 50, 95 and 99 of 200 + 10·i: 690, 1140 and 1180 ms, within the histogram's 1%.
  for (const [got, want] of [
    [r.response_p50_ms!, 690],
    [r.response_p95_ms!, 1140],
    [r.response_p99_ms!, 1180],
  ]) {
    expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.01);
  }
});

test("the series gives each interval's response p95 beside its duration p95", () => {
  const series = seriesView(lateSchedule().load.series);
  // Flows end at 200 + 110·i ms: the 5 s intervals hold flows 0–43, 44–89 and 90–99, whose p95 ranks are the
  // 42nd, 44th and 10th: flows 41, 87 and 99.
  const [first, second, third] = series.points;
  expect(first.p95_duration_ms).toBeCloseTo(200, 0);
  [first, second, third].forEach((p, n) => {
    const want = 200 + 10 * [41, 87, 99][n];
    expect(Math.abs(p.p95_response_ms! - want) / want).toBeLessThanOrEqual(0.01);
  });
});

test('a closed run (no scheduled starts) has no response figures', () => {
  const totals = RunTotals.open(undefined, 0, false);
  totals.started(0, 1);
  totals.ended(done(200), 200, 0, { workflowId: 'r1-0' });
  expect(toResult(totals.acc, { ...meta, totalOperations: 1 }).response_p95_ms).toBeUndefined();
  expect(seriesView(totals.load.series).points[0].p95_response_ms).toBeUndefined();
});
