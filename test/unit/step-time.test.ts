import type { AttemptTime } from '../../src/flows/types';
import { addOutcome, emptyRun, toResult } from '../../src/stats/aggregate';
import { splitStepTime } from '../../src/stats/step-time';

const attempt = (n: number, service: number, backoff = 0, ok = true): AttemptTime => ({
  attempt: n,
  service_ms: service,
  ok,
  backoff_ms: backoff,
});

test('a step of one attempt: overhead is what the service time does not explain', () => {
  const split = splitStepTime({
    durationMs: 60,
    times: [attempt(1, 12.5)],
    unreported: 0,
    timeoutMs: 30_000,
    waitMs: 0,
  });
  expect(split).toEqual({
    service_ms: 12.5,
    attempt_service_ms: [12.5],
    wait_ms: 0,
    backoff_ms: 0,
    unreported_attempts: 0,
    overhead_ms: 47.5,
  });
});

test('failed attempts keep their time; backoff and durable waits are their own fields', () => {
  const times = [attempt(1, 40, 0, false), attempt(2, 35, 200, false), attempt(3, 20, 400)];
  const split = splitStepTime({ durationMs: 1000, times, unreported: 0, timeoutMs: 30_000, waitMs: 250 });
  expect(split.service_ms).toBe(95);
  expect(split.attempt_service_ms).toEqual([40, 35, 20]);
  expect(split.backoff_ms).toBe(600);
  expect(split.wait_ms).toBe(250);
  expect(split.overhead_ms).toBe(1000 - 95 - 600 - 250);
});

test('an attempt that never reported is charged its timeout, at most the time nothing else explains', () => {
  // Worker died in attempt 1: noticed after 5 s (heartbeat timeout), attempt 2 answered in 10 ms after 200 ms backoff.
  const died = splitStepTime({
    durationMs: 5300,
    times: [attempt(2, 10, 200)],
    unreported: 1,
    timeoutMs: 30_000,
    waitMs: 0,
  });
  expect(died.unreported_attempts).toBe(1);
  expect(died.attempt_service_ms).toEqual([10, 5090]);
  expect(died.service_ms).toBe(5100);
  expect(died.overhead_ms).toBe(0);
  // A short timeout is charged in full.
  const short = splitStepTime({ durationMs: 5300, times: [], unreported: 2, timeoutMs: 2000, waitMs: 0 });
  expect(short.attempt_service_ms).toEqual([2000, 2000]);
  expect(short.overhead_ms).toBe(1300);
});

test('the parts never exceed the step time: a service time above the workflow clock leaves overhead at 0', () => {
  const split = splitStepTime({ durationMs: 10, times: [attempt(1, 11)], unreported: 0, timeoutMs: 30_000, waitMs: 0 });
  expect(split.overhead_ms).toBe(0);
});

test('the result reports service time over attempts and overhead per execution, per step and per flow', () => {
  const acc = emptyRun();
  for (let i = 0; i < 100; i++) {
    const service = 10 + (i % 10); // 10..19 ms
    addOutcome(acc, {
      outcome: 'completed',
      duration_ms: 100,
      refs: {},
      steps: [
        {
          step: 'a',
          status: 'completed',
          started_at: 0,
          duration_ms: 60,
          attempts: 2,
          ...splitStepTime({
            durationMs: 60,
            times: [attempt(1, service, 0, false), attempt(2, service, 20)],
            unreported: 0,
            timeoutMs: 30_000,
            waitMs: 0,
          }),
        },
      ],
    });
  }
  const result = toResult(acc, {
    flow: 'x',
    runId: 'r',
    status: 'completed',
    totalOperations: 100,
    concurrency: 1,
    elapsedMs: 1000,
    stepOrder: ['a'],
    params: { count: 100, concurrency: 1, seed: 1, faults: 'none', time_scale: 1 },
  });
  const a = result.step_analysis.a;
  expect(a.service_avg_ms).toBeCloseTo(14.5, 1);
  expect(Math.abs((a.service_p50_ms ?? 0) - 14) / 14).toBeLessThan(0.02);
  expect(Math.abs((a.service_p95_ms ?? 0) - 19) / 19).toBeLessThan(0.02);
  expect(a.backoff_avg_ms).toBe(20);
  // Overhead per execution: 60 − 2 × service − 20 backoff, service 10..19 → 2..20 ms.
  expect(a.overhead_avg_ms).toBeCloseTo(60 - 29 - 20, 0);
  // The flow: 100 ms, service 2 × 14.5 on average, backoff 20.
  expect(result.service_avg_ms).toBeCloseTo(29, 0);
  expect(result.overhead_avg_ms).toBeCloseTo(100 - 29 - 20, 0);
  expect(result.unreported_attempts).toBe(0);
});
