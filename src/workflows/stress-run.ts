import {
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FLOWS, type FlowName } from '../flows/catalog';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../flows/search-attributes';
import type { FlowOutcome, SimSettings } from '../flows/types';
import { standardResultSchema, type ChaosSection, type StandardResult } from '../result/schema';
import { addOutcome, emptyRun, toResult, type RunAccumulator } from '../stats/aggregate';
import { chaosKillSignal, summaryQuery } from './definitions';
import { STEP_PRESETS } from '../flows/step-presets';

const { store_stress_run } = proxyActivities<Activities>(STEP_PRESETS.bookkeeping);

/** Children started per run of the parent before it continues as new, keeping history far below its limits. */
export const CHILDREN_PER_RUN = 500;

export interface StressRunInput {
  flow: FlowName;
  /** Defaults to the workflow id, which a schedule makes unique per action. */
  runId?: string;
  count: number;
  concurrency: number;
  seed: number;
  faultsName: string;
  sim: SimSettings;
  /** Children per run of the parent before continue-as-new (default CHILDREN_PER_RUN; tests lower it). */
  childrenPerRun?: number;
  /** Carried across continue-as-new. */
  carried?: { next: number; acc: RunAccumulator; startedAt: number; chaos?: ChaosSection };
}

/** Runs `count` flows with at most `concurrency` at once and aggregates them into the standard result. */
export async function stressRun(input: StressRunInput): Promise<StandardResult> {
  const flow = FLOWS[input.flow];
  const runId = input.runId ?? workflowInfo().workflowId;
  // A scheduled run cannot know its id in advance: the run labels itself for the Web UI's filters.
  upsertSearchAttributes([
    { key: FLOW_NAME, value: input.flow },
    { key: STRESS_RUN_ID, value: runId },
  ]);
  const acc = input.carried?.acc ?? emptyRun();
  const startedAt = input.carried?.startedAt ?? Date.now();
  let next = input.carried?.next ?? 0;
  let running = 0;
  // Set once when the run ends; the query reads them, so they live outside the final block.
  const end: { status: StandardResult['status']; at?: number } = { status: 'running' };

  const result = (): StandardResult =>
    toResult(acc, {
      flow: input.flow,
      runId,
      status: end.status,
      totalOperations: input.count,
      concurrency: input.concurrency,
      elapsedMs: (end.at ?? Date.now()) - startedAt,
      stepOrder: flow.steps,
      params: {
        count: input.count,
        concurrency: input.concurrency,
        seed: input.seed,
        faults: input.faultsName,
        time_scale: input.sim.timeScale,
      },
    });
  // Kills chaos made in the stack during the run, by id (a kill is sent again with its recovery time).
  let chaos = input.carried?.chaos;
  setHandler(chaosKillSignal, (sent) => {
    const kills = new Map((chaos?.kills ?? []).map((k) => [k.id, k]));
    for (const k of sent.kills) kills.set(k.id, k);
    chaos = { ...sent, kills: [...kills.values()].sort((a, b) => a.id - b.id) };
  });
  const withChaos = (r: StandardResult): StandardResult => (chaos ? { ...r, chaos } : r);
  setHandler(summaryQuery, () => withChaos(result()));

  const runChild = async (index: number): Promise<void> => {
    let outcome: FlowOutcome;
    const started = Date.now();
    try {
      const child = await startChild(flow.workflowType, {
        workflowId: `${runId}-${String(index).padStart(5, '0')}`,
        args: [{ runId, index, seed: input.seed, sim: input.sim }],
        typedSearchAttributes: [
          { key: FLOW_NAME, value: input.flow },
          { key: STRESS_RUN_ID, value: runId },
        ],
      });
      outcome = await child.result();
    } catch (err) {
      // The flow workflow itself failed (not one of its steps): count it, with the reason.
      const duration_ms = Date.now() - started;
      outcome = { outcome: 'failed', duration_ms, steps: [], failed_step: 'workflow', error: String(err), refs: {} };
    }
    addOutcome(acc, outcome);
  };

  const stopAt = Math.min(input.count, next + (input.childrenPerRun ?? CHILDREN_PER_RUN));
  while (next < stopAt && !workflowInfo().continueAsNewSuggested) {
    await condition(() => running < input.concurrency);
    const index = next++;
    running++;
    void runChild(index).finally(() => running--);
  }
  await condition(() => running === 0);

  if (next < input.count) {
    await continueAsNew<typeof stressRun>({ ...input, carried: { next, acc, startedAt, chaos } });
  }

  end.status = 'completed';
  end.at = Date.now();
  const final = withChaos(result());
  const checked = standardResultSchema.safeParse(final);
  if (!checked.success) {
    throw ApplicationFailure.nonRetryable(`result failed validation: ${checked.error.message}`, 'InvalidResult');
  }
  upsertSearchAttributes([{ key: RUN_OUTCOME, value: final.failed === 0 ? 'passed' : 'had_failures' }]);
  try {
    await store_stress_run(final, startedAt);
  } catch (err) {
    // The result is in history and the query either way; a database outage must not fail the run.
    log.warn('could not store the result in stress_runs', { error: String(err) });
  }
  return final;
}
