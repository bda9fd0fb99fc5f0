import { UsageError } from '../../src/cli/errors';
import { parseLoadShape } from '../../src/cli/load-options';
import { parseScheduleCreate } from '../../src/cli/schedule-options';
import { parseStartOptions } from '../../src/cli/start-options';
import { parseSuiteOptions } from '../../src/cli/suite-options';
import { parseThreshold } from '../../src/result/thresholds';
import { breakpointVerdict, judgeStep } from '../../src/load/breakpoint';
import type { StandardResult } from '../../src/result/schema';
import { emptyHistogram, record } from '../../src/stats/histogram';
import { emptyTally, type LoadTally } from '../../src/stats/load-section';
import { cumulativeArrivals, plannedStarts, rateAt, scheduledAt, startsDueBy } from '../../src/load/arrivals';
import type { ArrivalPlan } from '../../src/load/shape';
import { emptySeries, MAX_POINTS, noteCompletion, noteDrop, noteStart, seriesView } from '../../src/stats/series';

const ramp: ArrivalPlan = {
  start_rate: 0,
  stages: [
    { duration_ms: 30_000, target_rate: 2 },
    { duration_ms: 120_000, target_rate: 10 },
    { duration_ms: 30_000, target_rate: 0 },
  ],
};

test('a constant rate schedules one start every 1/rate seconds, the first at once', () => {
  const plan: ArrivalPlan = { start_rate: 4, stages: [{ duration_ms: 10_000, target_rate: 4 }] };
  expect(plannedStarts(plan)).toBe(40);
  expect(scheduledAt(plan, 0)).toBe(0);
  expect(scheduledAt(plan, 10)).toBeCloseTo(2500, 6);
  expect(startsDueBy(plan, 0)).toBe(1);
  expect(startsDueBy(plan, 2499)).toBe(10);
  expect(startsDueBy(plan, 2500)).toBe(11);
  expect(startsDueBy(plan, 60_000)).toBe(40);
  expect(plannedStarts({ ...plan, count: 7 })).toBe(7);
});

test('stages ramp linearly: the rate and the expected starts follow the stages', () => {
  expect(rateAt(ramp, 15_000)).toBeCloseTo(1, 9);
  expect(rateAt(ramp, 90_000)).toBeCloseTo(6, 9);
  expect(rateAt(ramp, 165_000)).toBeCloseTo(5, 9);
  // 30 s × 1/s average, 120 s × 6/s, 30 s × 5/s.
  expect(cumulativeArrivals(ramp, 30_000)).toBeCloseTo(30, 6);
  expect(cumulativeArrivals(ramp, 150_000)).toBeCloseTo(750, 6);
  expect(plannedStarts(ramp)).toBe(900);
  for (const k of [1, 29, 30, 31, 400, 899]) expect(cumulativeArrivals(ramp, scheduledAt(ramp, k))).toBeCloseTo(k, 6);
});

test('the series counts starts, drops and completions per interval and stays bounded by merging', () => {
  const s = emptySeries(0, 1000);
  noteStart(s, 100, 1);
  noteDrop(s, 200);
  noteCompletion(s, 1500, 400, false, 0);
  noteStart(s, 1600, 1);
  noteCompletion(s, 1700, 800, true, 0);
  const v = seriesView(s);
  expect(v.points.map((p) => [p.started, p.dropped, p.scheduled, p.completed, p.failed])).toEqual([
    [1, 1, 2, 0, 0],
    [1, 0, 1, 2, 1],
  ]);
  for (let t = 2000; t < 5000 * 1000; t += 1000) noteStart(s, t, 1);
  const long = seriesView(s);
  expect(long.points.length).toBeLessThanOrEqual(MAX_POINTS);
  expect(long.interval_seconds).toBeGreaterThan(1);
  expect(long.points.reduce((n, p) => n + p.started, 0)).toBe(2 + (5000 - 2));
});

test('the merged p95 keeps the larger of the two, an upper bound', () => {
  const s = emptySeries(0, 1000);
  noteCompletion(s, 10, 100, false, 0);
  noteCompletion(s, 1010, 900, false, 0);
  for (let t = 2000; t <= MAX_POINTS * 1000; t += 1000) noteStart(s, t, 0);
  expect(seriesView(s).points[0].p95_duration_ms).toBeGreaterThanOrEqual(880);
});

const given = { thresholds: [] };
test.each([
  [{ rate: '-2', duration: '10s' }, /--rate must be a positive number/],
  [{ rate: '0', duration: '10s' }, /--rate must be above 0/],
  [{ rate: '5', duration: '10' }, /--duration needs a number and a unit/],
  [{ rate: '5' }, /--rate needs --duration/],
  [{ stages: '30s:2/s,2m' }, /bad stage '2m' in --stages/],
  [{ stages: '30:2/s' }, /bad --stages: stage '30:2\/s': its duration needs a number and a unit/],
  [{ stages: '30s:2/s', rate: '3' }, /give --rate or --stages, not both/],
  [{ maxInFlight: '10' }, /--max-in-flight is for an open model/],
  [{ findBreakpoint: true }, /--find-breakpoint needs at least one --threshold/],
  [{ hold: '10s' }, /--hold is for --find-breakpoint/],
])('load flags %j are refused with one line', (raw, message) => {
  expect(() => parseLoadShape(raw, given)).toThrow(UsageError);
  expect(() => parseLoadShape(raw, given)).toThrow(message);
});

test('--rate with --concurrency is refused; --duration alone is a closed model for a time', () => {
  expect(() => parseStartOptions('creative-flow', { rate: '2', duration: '10s', concurrency: '4' })).toThrow(
    /--rate does not go with --concurrency/,
  );
  expect(parseStartOptions('creative-flow', { duration: '90s' }).load).toEqual({
    model: 'closed',
    duration_ms: 90_000,
  });
  const open = parseStartOptions('creative-flow', { rate: '2/s', count: '30', maxInFlight: '7' });
  expect(open.load).toMatchObject({ model: 'open', start_rate: 2, count: 30, max_in_flight: 7 });
  expect(open).toMatchObject({ count: 30, concurrency: 7 });
  const search = parseStartOptions('creative-flow', { findBreakpoint: true, threshold: ['success_rate>=99'] });
  expect(search.load).toMatchObject({ model: 'breakpoint', start_rate: 1, step_factor: 1.5, hold_ms: 30_000 });
});

describe('breakpoint steps', () => {
  const thresholds = [parseThreshold('success_rate>=99'), parseThreshold('p95_duration_ms<1000')];
  const result = (over: Partial<StandardResult>) => ({ p95_duration_ms: 500, ...over }) as StandardResult;
  const tally = (over: Partial<LoadTally>): LoadTally => ({ ...emptyTally(), ...over });

  test('a healthy step holds; one over a threshold fails; drops alone while healthy are the tester', () => {
    const ok = judgeStep(
      1,
      result({ successful: 10, failed: 0, completed_operations: 10, success_rate: 100 }),
      tally({ scheduled: 10, started: 10 }),
      10_000,
      thresholds,
    );
    expect(ok).toMatchObject({ passed: true, tester_limited: false, achieved_rate: 1 });
    const slow = judgeStep(
      2,
      result({ successful: 20, failed: 0, completed_operations: 20, success_rate: 100, p95_duration_ms: 4000 }),
      tally({ scheduled: 20, started: 20 }),
      10_000,
      thresholds,
    );
    expect(slow).toMatchObject({ passed: false, tester_limited: false });
    const dropped = judgeStep(
      3,
      result({ successful: 20, failed: 10, completed_operations: 30, success_rate: 66.67 }),
      tally({ scheduled: 30, started: 20, dropped: 10 }),
      10_000,
      thresholds,
    );
    expect(dropped).toMatchObject({ passed: false, tester_limited: true });
    expect(breakpointVerdict([ok, slow], true)).toEqual({
      verdict: 'found',
      highest_passing_rate: 1,
      first_failing_rate: 2,
    });
    expect(breakpointVerdict([slow], true).verdict).toBe('lowest_failed');
    expect(breakpointVerdict([ok, dropped], true).verdict).toBe('tester_limit');
    expect(breakpointVerdict([ok], true).verdict).toBe('not_found');
  });

  test('late starts make a step the tester limit only while the platform is healthy', () => {
    const late = emptyHistogram();
    for (let i = 0; i < 10; i++) record(late, 3000);
    const lateHealthy = judgeStep(
      1,
      result({ successful: 10, failed: 0, completed_operations: 10, success_rate: 100 }),
      tally({ scheduled: 10, started: 10, lateness: late }),
      10_000,
      thresholds,
    );
    expect(lateHealthy).toMatchObject({ passed: true, tester_limited: true });
    const lateBroken = judgeStep(
      1,
      result({ successful: 10, failed: 0, completed_operations: 10, success_rate: 100, p95_duration_ms: 5000 }),
      tally({ scheduled: 10, started: 10, lateness: late }),
      10_000,
      thresholds,
    );
    expect(lateBroken).toMatchObject({ passed: false, tester_limited: false });
  });
});

test('the suite takes load flags for every flow or per flow; schedules take them once', () => {
  const suite = parseSuiteOptions({
    flows: 'creative-flow,meta-api',
    rate: ['2', 'meta-api=0.5'],
    duration: ['10s'],
    maxInFlight: ['creative-flow=20'],
  });
  expect(suite.runs.map((r) => [r.flow, r.load])).toEqual([
    ['creative-flow', expect.objectContaining({ model: 'open', start_rate: 2, max_in_flight: 20 })],
    ['meta-api', expect.objectContaining({ model: 'open', start_rate: 0.5, max_in_flight: 500 })],
  ]);
  expect(() => parseSuiteOptions({ rate: ['2'], duration: ['10s'], concurrency: ['4'] })).toThrow(
    /--rate does not go with --concurrency/,
  );
  const schedule = parseScheduleCreate('creative-flow', { every: '1h', stages: '10s:2/s,10s:0/s' });
  expect(schedule.run.load).toMatchObject({ model: 'open', start_rate: 0 });
  expect(() => parseScheduleCreate('creative-flow', { every: '1h', rate: '2' })).toThrow(/--rate needs --duration/);
});
