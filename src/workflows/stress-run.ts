import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../flows/search-attributes';
import { STEP_PRESETS } from '../flows/step-presets';
import type { ChaosSection, StandardResult } from '../result/schema';
import { chaosKillSignal, summaryQuery } from './definitions';
import { validated } from './result-check';
import type { RunContext } from './stress-run/context';
import { controlsOf, installControls, withControls } from './stress-run/control';
import { driverFor } from './stress-run/drivers';
import type { StressRunCarry, StressRunInput } from './stress-run/input';
import { Launcher } from './stress-run/launcher';
import { limitsOf } from './stress-run/limits';
import { runResult } from './stress-run/result';
import { RunTotals } from './stress-run/totals';

export { CHILDREN_PER_RUN } from './stress-run/input';
export type { StressRunInput } from './stress-run/input';

const { store_stress_run, apply_capacity } = proxyActivities<Activities>(STEP_PRESETS.bookkeeping);

/** The run's state: carried from the run before continue-as-new, or fresh. */
function openRun(input: StressRunInput, runId: string): RunContext {
  const startedAt = input.carried?.startedAt ?? Date.now();
  const driver = driverFor(input.load);
  const limits = limitsOf(input);
  const totals = RunTotals.open(input.carried, startedAt, driver.search);
  const adopted = totals.load.inFlight;
  const next = input.carried?.next ?? 0;
  const launcher = new Launcher({ input, runId, abandon: driver.open, next, adopted }, limits, totals);
  return {
    input,
    runId,
    startedAt,
    limits,
    totals,
    launcher,
    driver,
    end: { status: 'running' },
    controls: controlsOf(input.carried),
    chaos: input.carried?.chaos,
  };
}

/** Kills sent again (with their recovery time) replace the earlier record of the same kill. */
function mergeKills(known: ChaosSection | undefined, sent: ChaosSection): ChaosSection {
  const kills = new Map((known?.kills ?? []).map((k) => [k.id, k]));
  for (const k of sent.kills) kills.set(k.id, k);
  return { ...sent, kills: [...kills.values()].sort((a, b) => a.id - b.id) };
}

/** Hands the flows in flight and the totals to a new run of the parent, once every start is acknowledged. */
async function carryOn(run: RunContext): Promise<never> {
  await run.launcher.acknowledged();
  // A control being handled now is handed on with the rest (the handlers do not wait, so this is at once).
  await condition(allHandlersFinished);
  run.totals.load.inFlight = run.launcher.inFlightList();
  const { acc, load } = run.totals;
  const carried: StressRunCarry = { next: run.launcher.next, acc, startedAt: run.startedAt, load, chaos: run.chaos };
  if (run.controls.changes.length) carried.controls = run.controls;
  return continueAsNew<typeof stressRun>({ ...run.input, carried });
}

/** Ends the run: the final result, checked, labelled and stored. */
async function conclude(run: RunContext): Promise<StandardResult> {
  // From here on every control is refused: the result is being made.
  run.end.status = 'completed';
  run.end.at = Date.now();
  await condition(allHandlersFinished);
  const final = withControls(runResult(run), run);
  await validated('run', final);
  upsertSearchAttributes([{ key: RUN_OUTCOME, value: final.failed === 0 ? 'passed' : 'had_failures' }]);
  try {
    await store_stress_run(final, run.startedAt);
  } catch (err) {
    // The result is in history and the query either way; a database outage must not fail the run.
    log.warn('could not store the result in stress_runs', { error: String(err) });
  }
  return final;
}

/**
 * Runs a flow's stress run: a closed model (`count` flows, or flows for a duration, at most `concurrency` at
 * once), an open model (starts paced from a rate schedule, at most `max_in_flight` in flight, the rest dropped),
 * or a breakpoint search (rising rates until a step fails a threshold). Aggregates every flow into the result.
 */
export async function stressRun(input: StressRunInput): Promise<StandardResult> {
  const runId = input.runId ?? workflowInfo().workflowId;
  // A scheduled run cannot know its id in advance: the run labels itself for the Web UI's filters.
  upsertSearchAttributes([
    { key: FLOW_NAME, value: input.flow },
    { key: STRESS_RUN_ID, value: runId },
  ]);
  // The stack takes the run's capacity once, when the run starts (unlimited where the profile names none).
  if (!input.carried) await apply_capacity(input.capacity);
  const run = openRun(input, runId);
  // Kills chaos made in the stack during the run, by id.
  setHandler(chaosKillSignal, (sent) => {
    run.chaos = mergeKills(run.chaos, sent);
  });
  setHandler(summaryQuery, () => withControls(runResult(run), run));
  // Live control (`npm run control`): pause, resume, stop, set.
  installControls(run);
  // Flows started before continue-as-new: this run collects them by id, as they close.
  run.launcher
    .collectAdopted()
    .catch((err) => log.warn('collecting flows of the previous run failed', { error: String(err) }));
  if (!(await run.driver.drive(run))) return carryOn(run);
  run.controls.offered = true;
  await run.launcher.drained();
  return conclude(run);
}
