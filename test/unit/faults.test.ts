import {
  BUILT_IN_PROFILES,
  faultProfileSchema,
  faultsFor,
  type ServiceFaults,
} from '../../src/contracts/fault-profile';
import { decideFault, sampleLatencyMs } from '../../src/services/shared/faults';
import { seededRng } from '../../src/stats/random';

const none = BUILT_IN_PROFILES.none.defaults;

test('fault kinds come at their configured rates', () => {
  const faults: ServiceFaults = { ...none, error_rate: 0.3, timeout_rate: 0.05, rate_limit_rate: 0.1 };
  const rng = seededRng(3);
  const counts = { none: 0, error: 0, timeout: 0, rate_limited: 0 };
  const n = 100_000;
  for (let i = 0; i < n; i++) counts[decideFault(faults, rng).kind] += 1;
  expect(counts.error / n).toBeCloseTo(0.3, 2);
  expect(counts.timeout / n).toBeCloseTo(0.05, 2);
  expect(counts.rate_limited / n).toBeCloseTo(0.1, 2);
});

test('the none profile never injects a fault or latency', () => {
  const rng = seededRng(4);
  for (let i = 0; i < 10_000; i++) {
    expect(decideFault(none, rng).kind).toBe('none');
    expect(sampleLatencyMs(none.latency, rng)).toBe(0);
  }
});

test('lognormal latency hits its configured median and p95', () => {
  const rng = seededRng(5);
  const samples = Array.from({ length: 40_000 }, () =>
    sampleLatencyMs({ distribution: 'lognormal', p50_ms: 200, p95_ms: 800 }, rng),
  ).sort((a, b) => a - b);
  expect(samples[20_000] / 200).toBeGreaterThan(0.95);
  expect(samples[20_000] / 200).toBeLessThan(1.05);
  expect(samples[38_000] / 800).toBeGreaterThan(0.93);
  expect(samples[38_000] / 800).toBeLessThan(1.07);
});

test('uniform latency stays in its range', () => {
  const rng = seededRng(6);
  for (let i = 0; i < 1000; i++) {
    const v = sampleLatencyMs({ distribution: 'uniform', min_ms: 10, max_ms: 20 }, rng);
    expect(v).toBeGreaterThanOrEqual(10);
    expect(v).toBeLessThanOrEqual(20);
  }
});

test('profiles are validated: rates above 1 in total, unknown services and unknown keys are refused', () => {
  const base = { name: 'x', defaults: none };
  expect(faultProfileSchema.safeParse(base).success).toBe(true);
  expect(
    faultProfileSchema.safeParse({ ...base, defaults: { ...none, error_rate: 0.6, timeout_rate: 0.6 } }).success,
  ).toBe(false);
  expect(faultProfileSchema.safeParse({ ...base, services: { 'no-such-service': none } }).success).toBe(false);
  expect(faultProfileSchema.safeParse({ ...base, defaults: { ...none, eror_rate: 0.1 } }).success).toBe(false);
});

test('a service without its own entry gets the profile defaults; the built-ins are valid', () => {
  for (const profile of Object.values(BUILT_IN_PROFILES)) expect(faultProfileSchema.parse(profile)).toEqual(profile);
  const chaos = BUILT_IN_PROFILES.chaos;
  expect(faultsFor(chaos, 'drive-intel').error_rate).toBe(0.12);
  expect(faultsFor({ ...chaos, services: {} }, 'drive-intel')).toBe(chaos.defaults);
});
