import type { Pool } from 'pg';
import { FLOWS, isFlowName } from '../flows/catalog';
import { compareRuns, type Comparison } from '../report/compare';
import { formatComparison, formatDifferences, formatRegressions } from '../report/compare-format';
import { formatHistory } from '../report/history-format';
import { checkRegressions, type RegressionCheck, type RegressionLimit } from '../report/regression';
import { recentRunsOf, type StoredRun } from '../db/stress-runs-store';
import { describeRef, loadRun, type RunRef } from '../report/stored-runs';
import type { StandardResult } from '../result/schema';
import { regressionOutcome } from '../report/flow-report';
import { EXIT, UsageError } from './errors';
import { writeHtmlReport } from './html-output';
import type { CompareOptions } from './report-options';
import { withResultsDatabase } from './results-database';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Every limit on a step names a step one of the runs has (or, before a run, the flow's catalog has). */
export function checkLimitSteps(limits: RegressionLimit[], steps: readonly string[], flow: string): void {
  for (const limit of limits) {
    if (limit.step && !steps.includes(limit.step)) {
      throw new UsageError(
        `bad --max-regression '${limit.text}': ${flow} has no step '${limit.step}'; its steps are ${steps.join(', ')}`,
      );
    }
  }
}

async function mustLoad(pool: Pool, ref: RunRef): Promise<StoredRun> {
  const run = await loadRun(pool, ref);
  if (!run) throw new UsageError(`no ${describeRef(ref)} in stress_runs (only finished runs are stored)`);
  return run;
}

/** Prints the comparison, its warnings and its limits; returns the checks. */
export function printComparison(comparison: Comparison, limits: RegressionLimit[]): RegressionCheck[] {
  for (const line of formatDifferences(comparison)) say(line);
  process.stdout.write(`${formatComparison(comparison)}\n`);
  const checks = checkRegressions(comparison, limits);
  if (checks.length) process.stdout.write(`\nregression limits:\n${formatRegressions(checks)}\n`);
  return checks;
}

/** `compare <baseline> <run>`: side by side from stress_runs; exit 99 when a --max-regression limit is passed. */
export async function compareCommand(opts: CompareOptions): Promise<number> {
  return withResultsDatabase({ say }, async (pool) => {
    const baseline = await mustLoad(pool, opts.baseline);
    const run = await mustLoad(pool, opts.run);
    const steps = [
      ...new Set([...Object.keys(baseline.result.step_analysis), ...Object.keys(run.result.step_analysis)]),
    ];
    checkLimitSteps(opts.limits, steps, run.flow);
    const comparison = compareRuns(baseline.result, run.result);
    const checks = printComparison(comparison, opts.limits);
    if (opts.html) {
      const outcomes = checks.map(regressionOutcome);
      await writeHtmlReport(opts.html, [
        { flow: run.flow, run_id: run.runId, result: run.result, checks: outcomes, comparison },
      ]);
    }
    return checks.every((c) => c.passed) ? EXIT.ok : EXIT.thresholdFailed;
  });
}

/** `history <flow>`: the flow's past runs from stress_runs, oldest first. */
export async function historyCommand(opts: { flow: string; limit: number }): Promise<number> {
  if (!isFlowName(opts.flow)) throw new UsageError(`unknown flow '${opts.flow}'`);
  const flow = opts.flow;
  return withResultsDatabase({ say }, async (pool) => {
    process.stdout.write(`${formatHistory(flow, await recentRunsOf(pool, flow, opts.limit))}\n`);
    return EXIT.ok;
  });
}

/** A run's comparison with its baseline at the end of start-workflow; undefined when there is none yet. */
export async function compareWithBaseline(
  result: StandardResult,
  baseline: 'latest' | RunRef,
  limits: RegressionLimit[],
  databaseUrl?: string,
): Promise<{ comparison: Comparison; checks: RegressionCheck[] } | undefined> {
  return withResultsDatabase({ databaseUrl, say }, async (pool) => {
    const ref: RunRef = baseline === 'latest' ? { kind: 'latest', flow: result.flow as keyof typeof FLOWS } : baseline;
    const found = await loadRun(pool, ref, result.run_id);
    if (!found) {
      say(`no baseline: ${describeRef(ref)} is not in stress_runs yet; this run becomes the next one's baseline`);
      return undefined;
    }
    process.stdout.write('\n');
    const comparison = compareRuns(found.result, result);
    return { comparison, checks: printComparison(comparison, limits) };
  });
}
