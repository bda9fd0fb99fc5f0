import { changePct, compareRuns } from '../../src/report/compare';
import { formatComparison, formatDifferences } from '../../src/report/compare-format';
import { checkRegressions, regressionLimitSchema } from '../../src/report/regression';
import { completedResult, step } from '../support/results';

const limit = (text: string) => regressionLimitSchema.parse(text);
const baseline = completedResult();

test('a comparison lists the flow and every step with each figure and its change in percent', () => {
  const run = completedResult({
    run_id: 'creative-flow-20261201-130000-bbbb',
    p95_duration_ms: 1800,
    operations_per_second: 1.5,
    step_analysis: { video_upload: step(), video_rendering: step({ p95_duration_ms: 1000, executions: 5 }) },
  });
  const c = compareRuns(baseline, run);
  const row = (scope: string, metric: string) => c.rows.find((r) => r.scope === scope && r.metric === metric);
  expect(c.rows.map((r) => r.scope)).toEqual(expect.arrayContaining(['flow', 'video_upload', 'video_rendering']));
  expect(c.rows).toHaveLength(3 * 5);
  expect(row('flow', 'p95')).toMatchObject({ baseline: 1500, run: 1800, change_pct: 20 });
  expect(row('flow', 'throughput')).toMatchObject({ baseline: 2, run: 1.5, change_pct: -25 });
  expect(row('video_rendering', 'p95')!.change_pct).toBeCloseTo(25);
  // A step's throughput is its executions over the run's wall time: 10/5 s before, 5/5 s after.
  expect(row('video_rendering', 'throughput')).toMatchObject({ baseline: 2, run: 1, change_pct: -50 });
  const text = formatComparison(c);
  expect(text).toMatch(/^flow\s+success_rate\s+100\.0%\s+100\.0%\s+\+0\.0%$/m);
  expect(text).toMatch(/^\s+p95\s+1500 ms\s+1800 ms\s+\+20\.0%$/m);
  expect(text).toMatch(/throughput\s+2\.00\/s\s+1\.50\/s\s+-25\.0%/);
});

test('a step only one run has shows as missing on the other side, without a change', () => {
  const run = completedResult({ step_analysis: { ...baseline.step_analysis, meta_queue: step() } });
  const row = compareRuns(baseline, run).rows.find((r) => r.scope === 'meta_queue' && r.metric === 'p95');
  expect(row).toMatchObject({ baseline: undefined, run: 180, change_pct: undefined });
});

test('differing parameters are reported, equal ones are not', () => {
  const run = completedResult({ params: { ...baseline.params, count: 50, faults: 'default' } });
  const c = compareRuns(baseline, run);
  expect(c.differences.map((d) => d.name)).toEqual(['count', 'faults']);
  expect(formatDifferences(c)[0]).toBe('warning: count differs: 10 in the baseline, 50 in the run');
  expect(compareRuns(baseline, completedResult()).differences).toEqual([]);
});

test.each([
  // A percentage is relative to the baseline.
  ['p95=15%', { p95_duration_ms: 1700 }, true], // +13.3%
  ['p95=15%', { p95_duration_ms: 1800 }, false], // +20%
  ['p95=15%', { p95_duration_ms: 100 }, true], // faster is never a regression
  // A bare number on success_rate is percentage points.
  ['success_rate=1', { success_rate: 99.5, successful: 9, failed: 1 }, true],
  ['success_rate=1', { success_rate: 98.5, successful: 9, failed: 1 }, false],
  // A percentage on success_rate is relative: 100 → 98.5 is 1.5% worse.
  ['success_rate=2%', { success_rate: 98.5, successful: 9, failed: 1 }, true],
  // Throughput gets worse as it falls.
  ['throughput=10%', { operations_per_second: 1.7 }, false],
  ['throughput=10%', { operations_per_second: 2.5 }, true],
  // A bare number on a latency is milliseconds.
  ['p99=100', { p99_duration_ms: 1899 }, true],
  ['p99=100', { p99_duration_ms: 1901 }, false],
])('%s against %j passes: %s', (text, overrides, passed) => {
  const [check] = checkRegressions(compareRuns(baseline, completedResult(overrides)), [limit(text)]);
  expect(check.passed).toBe(passed);
});

test("a step's limit reads that step, not the flow", () => {
  const run = completedResult({
    p95_duration_ms: 5000,
    step_analysis: { ...baseline.step_analysis, video_rendering: step({ p95_duration_ms: 880 }) },
  });
  const [stepCheck, flowCheck] = checkRegressions(compareRuns(baseline, run), [
    limit('video_rendering.p95=15%'),
    limit('p95=15%'),
  ]);
  expect(stepCheck).toMatchObject({ baseline: 800, run: 880, passed: true });
  expect(stepCheck.worse).toBeCloseTo(10);
  expect(flowCheck.passed).toBe(false);
});

test('a limit on a figure the run lacks fails rather than passing silently', () => {
  const [check] = checkRegressions(compareRuns(baseline, baseline), [limit('meta_queue.p95=50%')]);
  expect(check.passed).toBe(false);
  expect(check.worse).toBeUndefined();
});

test('a zero baseline: equal is unchanged, anything worse is an unbounded change', () => {
  expect(changePct(0, 0)).toBe(0);
  expect(changePct(0, 5)).toBe(Infinity);
  const zero = completedResult({ p50_duration_ms: 0 });
  expect(checkRegressions(compareRuns(zero, completedResult()), [limit('p50=1000%')])[0].passed).toBe(false);
});

test.each(['p95', 'p95=', 'p95=-5%', 'p95>15%', 'speed=1', 'video_rendering.color=1%', 'p95=15%%'])(
  "'%s' is refused with a message saying how to write a limit",
  (text) => {
    const parsed = regressionLimitSchema.safeParse(text);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].message).toMatch(/write \[STEP\.\]METRIC=NUMBER\[%\]/);
  },
);

test('limits parse into step, metric, value and whether they are relative', () => {
  expect(limit('video_rendering.p95=12.5%')).toEqual({
    text: 'video_rendering.p95=12.5%',
    step: 'video_rendering',
    metric: 'p95',
    value: 12.5,
    relative: true,
  });
  expect(limit('success_rate=1')).toMatchObject({ step: undefined, metric: 'success_rate', relative: false });
});
