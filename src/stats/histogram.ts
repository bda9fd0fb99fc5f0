/**
 * A log-bucketed histogram: bounded memory whatever the sample count, at most 1% relative error on
 * percentiles (buckets 2% wide, answered by their geometric middle), sub-millisecond values included.
 * Plain JSON state (no Infinity), so a workflow can carry it across continue-as-new. Pure code.
 */
export interface HistogramState {
  count: number;
  sum: number;
  min: number;
  max: number;
  /**
   * bucket index → count; bucket i holds values in [GROWTH^i, GROWTH^(i+1)) ms, so values below 1 ms have
   * negative indices; values at or below TINY count as exact zeros (their own bucket, ZERO_BUCKET, so a
   * measurement that is mostly 0, like a yes/no share, has a median of 0).
   */
  buckets: Record<string, number>;
}

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

export function emptyHistogram(): HistogramState {
  return { count: 0, sum: 0, min: 0, max: 0, buckets: {} };
}

/** Below a nanosecond (in ms) a value is a zero: no clock here resolves less. */
const TINY = 1e-6;
const ZERO_BUCKET = 'zero';

function bucketOf(value: number): string {
  return value <= TINY ? ZERO_BUCKET : String(Math.floor(Math.log(value) / LOG_GROWTH));
}

/** Records one value in place. */
export function record(h: HistogramState, value: number): void {
  const v = Math.max(0, value);
  h.min = h.count === 0 ? v : Math.min(h.min, v);
  h.max = h.count === 0 ? v : Math.max(h.max, v);
  h.count += 1;
  h.sum += v;
  const b = bucketOf(v);
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
  let seen = h.buckets[ZERO_BUCKET] ?? 0;
  if (seen >= rank) return 0;
  const indices = Object.keys(h.buckets)
    .filter((k) => k !== ZERO_BUCKET)
    .map(Number)
    .sort((a, b) => a - b);
  for (const i of indices) {
    seen += h.buckets[String(i)];
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, Math.pow(GROWTH, i + 0.5)));
  }
  return h.max;
}

export function mean(h: HistogramState): number {
  return h.count === 0 ? 0 : h.sum / h.count;
}
