/**
 * A log-bucketed histogram: bounded memory whatever the sample count, about 1% relative error on
 * percentiles. Plain JSON state (no Infinity), so a workflow can carry it across continue-as-new. Pure code.
 */
export interface HistogramState {
  count: number;
  sum: number;
  min: number;
  max: number;
  /**
   * bucket index → count; bucket i holds values in [GROWTH^i, GROWTH^(i+1)) ms, index -1 holds values in (0, 1),
   * index -2 exact zeros (so a measurement that is mostly 0, like a yes/no share, has a median of 0).
   */
  buckets: Record<string, number>;
}

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

export function emptyHistogram(): HistogramState {
  return { count: 0, sum: 0, min: 0, max: 0, buckets: {} };
}

function bucketOf(value: number): number {
  if (value === 0) return -2;
  return value < 1 ? -1 : Math.floor(Math.log(value) / LOG_GROWTH);
}

/** Records one value in place. */
export function record(h: HistogramState, value: number): void {
  const v = Math.max(0, value);
  h.min = h.count === 0 ? v : Math.min(h.min, v);
  h.max = h.count === 0 ? v : Math.max(h.max, v);
  h.count += 1;
  h.sum += v;
  const b = String(bucketOf(v));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
}

/** Adds `from` into `into` in place. */
export function merge(into: HistogramState, from: HistogramState): void {
  if (from.count === 0) return;
  into.min = into.count === 0 ? from.min : Math.min(into.min, from.min);
  into.max = into.count === 0 ? from.max : Math.max(into.max, from.max);
  into.count += from.count;
  into.sum += from.sum;
  for (const [b, n] of Object.entries(from.buckets)) into.buckets[b] = (into.buckets[b] ?? 0) + n;
}

/** The value at quantile q (0..1): the geometric middle of its bucket, kept within [min, max]. */
export function quantile(h: HistogramState, q: number): number {
  if (h.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * h.count));
  const indices = Object.keys(h.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const i of indices) {
    seen += h.buckets[String(i)];
    if (seen >= rank) {
      const mid = i === -2 ? 0 : i === -1 ? 0.5 : Math.pow(GROWTH, i + 0.5);
      return Math.min(h.max, Math.max(h.min, mid));
    }
  }
  return h.max;
}

export function mean(h: HistogramState): number {
  return h.count === 0 ? 0 : h.sum / h.count;
}
