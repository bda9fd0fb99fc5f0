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

test('exact zeros are their own bucket: a mostly-zero measurement has a median of 0, sub-1 values stay apart', () => {
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
  expect(quantile(small, 0.9)).toBe(0.5);
});
