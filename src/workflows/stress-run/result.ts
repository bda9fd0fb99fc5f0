import { FLOWS } from '../../flows/catalog';
import type { LoadSection } from '../../result/load-schema';
import type { StandardResult } from '../../result/schema';
import { toResult, type ResultMeta, type RunAccumulator } from '../../stats/aggregate';
import { loadSection, type LoadTally } from '../../stats/load-section';
import { seriesView } from '../../stats/series';
import type { RunContext } from './context';

/** The result's meta for totals over `totalOperations` (`count` in the params) and `elapsedMs`. */
function resultMeta(
  run: RunContext,
  status: ResultMeta['status'],
  totals: { totalOperations: number; count: number; elapsedMs: number },
): ResultMeta {
  const { input } = run;
  const concurrency = run.limits.maxInFlight;
  return {
    flow: input.flow,
    runId: run.runId,
    status,
    totalOperations: totals.totalOperations,
    concurrency,
    elapsedMs: totals.elapsedMs,
    stepOrder: FLOWS[input.flow].steps,
    params: {
      count: totals.count,
      concurrency,
      seed: input.seed,
      faults: input.faultsName,
      time_scale: input.sim.timeScale,
      ...(input.sim.localActivities ? { local_activities: true as const } : {}),
    },
  };
}

/** The result of one breakpoint step's flows (started since the step's origin), for judging the step. */
export function stepResult(run: RunContext, acc: RunAccumulator, tally: LoadTally): StandardResult {
  const elapsedMs = Date.now() - run.totals.load.origin;
  const count = Math.max(1, tally.scheduled);
  return toResult(acc, resultMeta(run, 'completed', { totalOperations: tally.scheduled, count, elapsedMs }));
}

/** The load section: the offered load's tally over the driver's window, with the model's own fields. */
function section(run: RunContext, now: number): LoadSection {
  const { driver } = run;
  const meta = { model: driver.model, ...driver.window(run, now), maxInFlight: run.limits.maxInFlight };
  const load = loadSection(run.totals.load.tally, { ...meta, open: driver.open });
  driver.describe?.(load, run);
  return load;
}

/** The run's standard result so far (while it runs) or final (once `run.end` is set), with its chaos. */
export function runResult(run: RunContext): StandardResult {
  const now = run.end.at ?? Date.now();
  const totalOperations = run.driver.totalOperations(run);
  const count = run.input.load ? Math.max(1, totalOperations) : run.input.count;
  const meta = resultMeta(run, run.end.status, { totalOperations, count, elapsedMs: now - run.startedAt });
  const base = toResult(run.totals.acc, meta);
  const result = { ...base, load: section(run, now), series: seriesView(run.totals.load.series) };
  return run.chaos ? { ...result, chaos: run.chaos } : result;
}
