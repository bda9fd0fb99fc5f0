import { CircuitBreaker } from '../../src/services/gateway/circuit-breaker';
import { backoffMs } from '../../src/services/gateway/routes';

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

test('backoff is exponential with full jitter and capped', () => {
  expect(backoffMs(0, () => 1)).toBe(50);
  expect(backoffMs(3, () => 1)).toBe(400);
  expect(backoffMs(20, () => 1)).toBe(2000);
  expect(backoffMs(5, () => 0)).toBe(0);
});
