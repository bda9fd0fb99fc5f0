import type { StandardResult } from '../result/schema';
import type { Comparison } from './compare';
import { describeRegression, type RegressionCheck } from './regression';

/** One pass/fail judgement on a run: a threshold or a regression limit, with what was measured against what. */
export interface CheckOutcome {
  kind: 'threshold' | 'regression';
  /** The threshold or limit as written, e.g. `success_rate>=95` or `p95=15%`. */
  name: string;
  passed: boolean;
  /** The measured value against the limit, in one line. */
  detail: string;
}

/** One flow's run as the reports (JUnit, HTML) see it: its result, or why it has none, and its checks. */
export interface FlowReport {
  flow: string;
  run_id: string;
  result?: StandardResult;
  /** Why the flow's stress run itself failed. */
  error?: string;
  checks: CheckOutcome[];
  comparison?: Comparison;
}

/** A threshold check (from start-workflow or the suite) as an outcome. */
export function thresholdOutcome(text: string, actual: number | null | undefined, passed: boolean): CheckOutcome {
  const measured = actual === undefined || actual === null ? 'nothing measured' : `measured ${round(actual)}`;
  return { kind: 'threshold', name: text, passed, detail: `${measured} against the limit ${text}` };
}

export function regressionOutcome(c: RegressionCheck): CheckOutcome {
  return { kind: 'regression', name: c.limit.text, passed: c.passed, detail: describeRegression(c) };
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, ''));
