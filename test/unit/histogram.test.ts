import { emptyHistogram, mean, merge, quantile, record } from '../../src/stats/histogram';
import { seededRng, standardNormal } from '../../src/stats/random';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

test('quantiles stay within 2% of the exact ones on a long-tailed sample', () => {
  const rng = seededRng(1);
  const values = Array.from({ length: 50_000 }, () => Math.exp(5 + 1.2 * standardNormal(rng)));
  const h = emptyHistogram();
  for (const v of values) record(h, v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.95, 0.99]) {
    const exact = exactQuantile(sorted, q);
    expect(Math.abs(quantile(h, q) - exact) / exact).toBeLessThan(0.02);
  }
  expect(mean(h)).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
  expect(h.min).toBe(sorted[0]);
  expect(h.max).toBe(sorted.at(-1));
});

test('memory stays bounded: a million samples fill a few hundred buckets', () => {
  const rng = seededRng(2);
  const h = emptyHistogram();
  for (let i = 0; i < 1_000_000; i++) record(h, rng() * 60_000);
  expect(h.count).toBe(1_000_000);
  expect(Object.keys(h.buckets).length).toBeLessThan(600);
});

test('merging two histograms equals recording both samples into one', () => {
  const a = emptyHistogram();
  const b = emptyHistogram();
  const both = emptyHistogram();
  [3, 50, 700].forEach((v) => (record(a, v), record(both, v)));
  [0.2, 12, 9000].forEach((v) => (record(b, v), record(both, v)));
  merge(a, b);
  expect(a).toEqual(both);
});

test('an empty histogram answers zeros and survives a JSON round trip', () => {
  const h = JSON.parse(JSON.stringify(emptyHistogram()));
  expect(quantile(h, 0.99)).toBe(0);
  expect(mean(h)).toBe(0);
  record(h, 5);
  expect(h.min).toBe(5);
  expect(quantile(h, 0.5)).toBe(5);
});

test('exact zeros are their own bucket: a mostly-zero measurement has a median of 0, sub-ms values resolved', () => {
  const h = emptyHistogram();
  for (let i = 0; i < 7; i++) record(h, 0);
  for (let i = 0; i < 3; i++) record(h, 100);
  expect(quantile(h, 0.5)).toBe(0);
  expect(quantile(h, 0.95)).toBeCloseTo(100, 0);
  const small = emptyHistogram();
  record(small, 0);
  record(small, 0.4);
  record(small, 0.6);
  expect(quantile(small, 0.3)).toBe(0);
  expect(quantile(small, 0.9)).toBeCloseTo(0.6, 6);
  expect(quantile(small, 0.6)).toBeCloseTo(0.4, 2);
});

/** Seeded samples of several shapes, sub-millisecond ones included (ms). */
const DISTRIBUTIONS: Record<string, (rng: () => number) => number> = {
  'uniform 0-1 ms': (rng) => rng(),
  'uniform 10-25 ms': (rng) => 10 + 15 * rng(),
  'lognormal median 0.05 ms': (rng) => Math.exp(Math.log(0.05) + 0.8 * standardNormal(rng)),
  'lognormal median 300 ms, long tail': (rng) => Math.exp(Math.log(300) + 1.5 * standardNormal(rng)),
  'exponential mean 40 ms': (rng) => -40 * Math.log(1 - rng()),
  'bimodal 15 ms / 20 ms': (rng) => (rng() < 0.5 ? 15 : 20) + 0.1 * standardNormal(rng),
  'heavy zeros, rest 2-5 ms': (rng) => (rng() < 0.3 ? 0 : 2 + 3 * rng()),
};

test.each(Object.entries(DISTRIBUTIONS))(
  'p50/p95/p99 within 2%% of exact nearest-rank percentiles: %s',
  (_name, draw) => {
    const rng = seededRng(7);
    const values = Array.from({ length: 20_000 }, () => Math.max(0, draw(rng)));
    const h = emptyHistogram();
    for (const v of values) record(h, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(sorted, q);
      const got = quantile(h, q);
      if (exact === 0) expect(got).toBe(0);
      else expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.02);
    }
  },
);

test('a 15 ms step is told from a 20 ms one', () => {
  const fifteen = emptyHistogram();
  const twenty = emptyHistogram();
  for (let i = 0; i < 100; i++) {
    record(fifteen, 15);
    record(twenty, 20);
  }
  expect(quantile(fifteen, 0.5)).toBeCloseTo(15, 5);
  expect(quantile(twenty, 0.5)).toBeCloseTo(20, 5);
  const mixed = emptyHistogram();
  for (let i = 0; i < 100; i++) record(mixed, 15 + (i % 10) * 0.01);
  for (let i = 0; i < 100; i++) record(mixed, 20 + (i % 10) * 0.01);
  expect(Math.abs(quantile(mixed, 0.25) - 15.05) / 15.05).toBeLessThan(0.02);
  expect(Math.abs(quantile(mixed, 0.75) - 20.05) / 20.05).toBeLessThan(0.02);
});
