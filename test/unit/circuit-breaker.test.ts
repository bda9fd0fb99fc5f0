import { backoffCapMs, GATEWAY_RETRY } from '../../src/contracts/gateway';
import { CircuitBreaker, type BreakerState } from '../../src/services/gateway/circuit-breaker';
import { backoffMs } from '../../src/services/gateway/routes';
import { seededRng } from '../../src/stats/random';

test('opens after consecutive failures, fails fast, probes once after the cool-down, closes on success', () => {
  let now = 0;
  const breaker = new CircuitBreaker(3, 1000, () => now);
  breaker.failure();
  breaker.failure();
  expect(breaker.current).toBe('closed');
  breaker.success();
  for (let i = 0; i < 3; i++) breaker.failure();
  expect(breaker.current).toBe('open');
  expect(breaker.allow()).toBe(false);
  now = 1000;
  expect(breaker.current).toBe('half_open');
  expect(breaker.allow()).toBe(true);
  expect(breaker.allow()).toBe(false); // one probe at a time
  breaker.success();
  expect(breaker.current).toBe('closed');
  expect(breaker.allow()).toBe(true);
});

test('a failed probe opens the circuit again for a full cool-down', () => {
  let now = 0;
  const breaker = new CircuitBreaker(1, 1000, () => now);
  breaker.failure();
  now = 1500;
  expect(breaker.allow()).toBe(true);
  breaker.failure();
  expect(breaker.current).toBe('open');
  now = 2400;
  expect(breaker.allow()).toBe(false);
  now = 2500;
  expect(breaker.allow()).toBe(true);
});

test('reports each state change once, and how long it stays open', () => {
  let now = 0;
  const seen: Array<[BreakerState, BreakerState]> = [];
  const breaker = new CircuitBreaker(
    2,
    1000,
    () => now,
    (from, to) => seen.push([from, to]),
  );
  breaker.success(); // closed → closed is no transition
  breaker.failure();
  breaker.failure();
  now = 400;
  expect(breaker.remainingOpenMs).toBe(600);
  now = 1000;
  expect(breaker.allow()).toBe(true);
  breaker.failure(); // the probe failed
  now = 2000;
  expect(breaker.allow()).toBe(true);
  breaker.success();
  expect(breaker.remainingOpenMs).toBe(0);
  expect(seen).toEqual([
    ['closed', 'open'],
    ['open', 'half_open'],
    ['half_open', 'open'],
    ['open', 'half_open'],
    ['half_open', 'closed'],
  ]);
});

test('backoff is exponential with full jitter and capped', () => {
  expect(backoffMs(0, () => 1)).toBe(50);
  expect(backoffMs(3, () => 1)).toBe(400);
  expect(backoffMs(20, () => 1)).toBe(2000);
  expect(backoffMs(5, () => 0)).toBe(0);
  expect([0, 1, 2, 3, 4, 5, 6].map(backoffCapMs)).toEqual([50, 100, 200, 400, 800, 1600, 2000]);
});

test('full jitter spreads delays uniformly over [0, cap): mean near cap/2, both halves used', () => {
  const rng = seededRng(42);
  for (let attempt = 0; attempt <= GATEWAY_RETRY.retries + 3; attempt++) {
    const cap = backoffCapMs(attempt);
    const draws = Array.from({ length: 4000 }, () => backoffMs(attempt, rng));
    expect(draws.every((d) => d >= 0 && d < cap)).toBe(true);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    // The mean of 4000 uniform draws is within 5% of cap/2 far beyond 6 standard errors.
    expect(Math.abs(mean - cap / 2)).toBeLessThan(0.05 * cap);
    expect(draws.filter((d) => d < cap / 2).length / draws.length).toBeGreaterThan(0.45);
  }
});
