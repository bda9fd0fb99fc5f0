import type { StandardResult } from '../result/schema';

const OPS = {
  '>=': (a: number, b: number) => a >= b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '<': (a: number, b: number) => a < b,
  '==': (a: number, b: number) => a === b,
} as const;
type Op = keyof typeof OPS;

export interface Threshold {
  text: string;
  /** `success_rate`, or `<step>.<metric>` for one step's analysis. */
  metric: string;
  op: Op;
  value: number;
}

/** The numeric top-level fields a threshold may name; step fields are named `<step>.<field>`. */
export const THRESHOLD_METRICS = [
  'success_rate',
  'failed',
  'operations_per_second',
  'avg_duration_ms',
  'p50_duration_ms',
  'p95_duration_ms',
  'p99_duration_ms',
  'total_duration_seconds',
] as const;
const STEP_METRICS = [
  'success_rate',
  'avg_duration_ms',
  'p50_duration_ms',
  'p95_duration_ms',
  'p99_duration_ms',
  'retries',
  'failures',
];

/** Parses `success_rate>=95` or `video_rendering.p95_duration_ms<5000`; throws naming what is valid. */
export function parseThreshold(text: string): Threshold {
  const m = /^\s*([a-z0-9_]+(?:\.[a-z0-9_]+)?)\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m)
    throw new Error(
      `bad threshold '${text}': write METRIC OP NUMBER, e.g. 'success_rate>=95' (OP is >=, <=, >, <, ==)`,
    );
  const [, metric, op, value] = m;
  const [first, second] = metric.split('.');
  const valid = second ? STEP_METRICS.includes(second) : (THRESHOLD_METRICS as readonly string[]).includes(first);
  if (!valid) {
    throw new Error(
      `bad threshold '${text}': unknown metric '${metric}'; valid are ${THRESHOLD_METRICS.join(', ')}, ` +
        `or <step>.{${STEP_METRICS.join(',')}}`,
    );
  }
  return { text: text.trim(), metric, op: op as Op, value: Number(value) };
}

export interface ThresholdCheck {
  threshold: Threshold;
  actual: number | undefined;
  passed: boolean;
}

export function checkThresholds(result: StandardResult, thresholds: Threshold[]): ThresholdCheck[] {
  return thresholds.map((threshold) => {
    const [first, second] = threshold.metric.split('.');
    const actual = second
      ? (result.step_analysis[first] as Record<string, number> | undefined)?.[second]
      : (result as unknown as Record<string, number>)[first];
    return { threshold, actual, passed: actual !== undefined && OPS[threshold.op](actual, threshold.value) };
  });
}
