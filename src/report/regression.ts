import { z } from 'zod';
import { changePct, COMPARED_METRICS, comparedValues, HIGHER_IS_BETTER, METRIC_UNITS } from './compare';
import type { ComparedMetric, Comparison } from './compare';
import { formatFigure } from './figures';

export interface RegressionLimit {
  text: string;
  /** Undefined for the flow's own figure. */
  step?: string;
  metric: ComparedMetric;
  value: number;
  /** `15%`: relative to the baseline; a bare number is in the metric's unit (points for success_rate). */
  relative: boolean;
}

const LIMIT = /^\s*(?:([a-z0-9_]+)\.)?([a-z0-9_]+)\s*=\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/;

/** `p95=15%`, `success_rate=1`, `video_rendering.p95=20%`: the most a figure may get worse. */
export const regressionLimitSchema = z.string().transform((text, ctx): RegressionLimit => {
  const m = LIMIT.exec(text);
  const metric = m?.[2] as ComparedMetric | undefined;
  if (!m || !COMPARED_METRICS.includes(metric!)) {
    ctx.addIssue({
      code: 'custom',
      message:
        `bad --max-regression '${text}': write [STEP.]METRIC=NUMBER[%] with METRIC one of ` +
        `${COMPARED_METRICS.join(', ')}, e.g. 'p95=15%' or 'success_rate=1'`,
    });
    return z.NEVER;
  }
  return { text: text.trim(), step: m[1], metric: metric!, value: Number(m[3]), relative: m[4] === '%' };
});

export interface RegressionCheck {
  limit: RegressionLimit;
  baseline?: number;
  run?: number;
  /** How much worse the run is, in the limit's terms (percent or the metric's unit); negative is better. */
  worse?: number;
  passed: boolean;
}

/** How much worse `run` is than `base` for this metric: relative in percent, or in the metric's unit. */
export function worsening(metric: ComparedMetric, base: number, run: number, relative: boolean): number {
  const sign = HIGHER_IS_BETTER[metric] ? -1 : 1;
  return relative ? sign * changePct(base, run) : sign * (run - base);
}

/** Checks each limit against the comparison; a figure missing from either run fails its limit. */
export function checkRegressions(comparison: Comparison, limits: RegressionLimit[]): RegressionCheck[] {
  const a = comparedValues(comparison.baseline);
  const b = comparedValues(comparison.run);
  return limits.map((limit) => {
    const key = limit.step ? `${limit.step}.${limit.metric}` : limit.metric;
    const [baseline, run] = [a.get(key), b.get(key)];
    if (baseline === undefined || run === undefined) return { limit, baseline, run, passed: false };
    const worse = worsening(limit.metric, baseline, run, limit.relative);
    return { limit, baseline, run, worse, passed: worse <= limit.value };
  });
}

/** One line for a check: what changed by how much, against the limit. */
export function describeRegression(c: RegressionCheck): string {
  const unit = c.limit.relative
    ? '%'
    : ` ${c.limit.metric === 'success_rate' ? 'points' : METRIC_UNITS[c.limit.metric]}`;
  const what = c.limit.step ? `${c.limit.step}.${c.limit.metric}` : `flow ${c.limit.metric}`;
  if (c.worse === undefined) return `${what} is missing from ${c.baseline === undefined ? 'the baseline' : 'the run'}`;
  const amount = Number.isFinite(c.worse) ? `${Math.abs(c.worse).toFixed(1)}${unit}` : 'without bound';
  const direction = c.worse > 0 ? 'worse' : 'better';
  return `${what} ${formatFigure(c.limit.metric, c.baseline)} → ${formatFigure(c.limit.metric, c.run)}: ${amount} ${direction} (limit ${c.limit.value}${unit} worse)`;
}
