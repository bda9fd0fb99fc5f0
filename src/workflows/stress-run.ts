import {
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CollectedFlow, FlowInFlight } from '../activities/load';
import { FLOWS, type FlowName } from '../flows/catalog';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../flows/search-attributes';
import type { FlowOutcome, SimSettings } from '../flows/types';
import { planDurationMs, plannedStarts, scheduledAt, startsDueBy } from '../load/arrivals';
import { breakpointVerdict, judgeStep, stepRate } from '../load/breakpoint';
import { TICK_MS, type ArrivalPlan, type LoadShape } from '../load/shape';
import type { ChaosSection, StandardResult } from '../result/schema';
import type { BreakpointStep } from '../result/load-schema';
import type { Capacities } from '../contracts/fault-profile';
import { addOutcome, emptyRun, toResult, type RunAccumulator } from '../stats/aggregate';
import { record } from '../stats/histogram';
import { emptyTally, loadSection, type LoadTally } from '../stats/load-section';
import { emptySeries, noteCompletion, noteDrop, noteStart, seriesView, type SeriesState } from '../stats/series';
import { chaosKillSignal, summaryQuery } from './definitions';
import { countFlowEnded, countFlowStarted } from './flow-metrics';
import { validated } from './result-check';
import { STEP_PRESETS } from '../flows/step-presets';

const { store_stress_run, apply_capacity } = proxyActivities<Activities>(STEP_PRESETS.bookkeeping);
// Waits for flows an earlier run of this parent started; long, heartbeated, retried until it answers.
const { collect_flows } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Children started per run of the parent before it continues as new, keeping history far below its limits. */
export const CHILDREN_PER_RUN = 500;

/** Where the offered load stands: carried across continue-as-new with the flows still in flight. */
interface LoadCarry {
  tally: LoadTally;
  series: SeriesState;
  /** Flows started and not yet collected; after continue-as-new they are collected by workflow id. */
  inFlight: FlowInFlight[];
  /** The open-model schedule (or the current breakpoint step's) started at this workflow time. */
  origin: number;
  /** Starts of the schedule handled so far (started or dropped). */
  issued: number;
  /** Breakpoint search: the steps judged, and the current step's own totals. */
  steps?: BreakpointStep[];
  step?: { acc: RunAccumulator; tally: LoadTally };
  /** Set once the run has finished offering load (the closed model's time ran out, the search stopped). */
  offerEnd?: number;
}

export interface StressRunInput {
  flow: FlowName;
  /** Defaults to the workflow id, which a schedule makes unique per action. */
  runId?: string;
  count: number;
  concurrency: number;
  seed: number;
  faultsName: string;
  sim: SimSettings;
  /** How the load is offered; without it, `count` flows at `concurrency` (the closed model). */
  load?: LoadShape;
  /** Each service's capacity from the run's profile, set on the stack when the run starts. */
  capacity?: Capacities;
  /** Children per run of the parent before continue-as-new (default CHILDREN_PER_RUN; tests lower it). */
  childrenPerRun?: number;
  /** Carried across continue-as-new. */
  carried?: { next: number; acc: RunAccumulator; startedAt: number; load?: LoadCarry; chaos?: ChaosSection };
}

const isOpen = (shape: LoadShape | undefined) => shape?.model === 'open' || shape?.model === 'breakpoint';

/** The breakpoint search's schedule for step `i`: its rate held for the hold time. */
function stepPlan(shape: Extract<LoadShape, { model: 'breakpoint' }>, i: number): ArrivalPlan {
  const rate = stepRate(shape.start_rate, shape.step_factor, i);
  return { start_rate: rate, stages: [{ duration_ms: shape.hold_ms, target_rate: rate }] };
}

/**
 * Runs a flow's stress run: a closed model (`count` flows, or flows for a duration, at most `concurrency` at
 * once), an open model (starts paced from a rate schedule, at most `max_in_flight` in flight, the rest dropped),
 * or a breakpoint search (rising rates until a step fails a threshold). Aggregates every flow into the result.
 */
export async function stressRun(input: StressRunInput): Promise<StandardResult> {
  const flow = FLOWS[input.flow];
  const shape = input.load;
  const runId = input.runId ?? workflowInfo().workflowId;
  // A scheduled run cannot know its id in advance: the run labels itself for the Web UI's filters.
  upsertSearchAttributes([
    { key: FLOW_NAME, value: input.flow },
    { key: STRESS_RUN_ID, value: runId },
  ]);
  // The stack takes the run's capacity once, when the run starts (unlimited where the profile names none).
  if (!input.carried) await apply_capacity(input.capacity);
  const acc = input.carried?.acc ?? emptyRun();
  const startedAt = input.carried?.startedAt ?? Date.now();
  const load: LoadCarry = input.carried?.load ?? {
    tally: emptyTally(),
    series: emptySeries(startedAt),
    inFlight: [],
    origin: startedAt,
    issued: 0,
    ...(shape?.model === 'breakpoint' ? { steps: [] } : {}),
  };
  let next = input.carried?.next ?? 0;
  let startedThisRun = 0;
  let starting = 0;
  // Flows in flight by workflow id: started by this run, or adopted from the run before continue-as-new.
  const inFlight = new Map<string, number>(load.inFlight.map((f) => [f.workflowId, f.index]));
  const cap = shape?.model === 'open' || shape?.model === 'breakpoint' ? shape.max_in_flight : input.concurrency;
  // Set once the run ends; the query reads them, so they live outside the final block.
  const end: { status: StandardResult['status']; at?: number } = { status: 'running' };

  const totalOperations = (): number => {
    if (shape?.model === 'open') return plannedStarts(shape);
    if (shape) return load.tally.scheduled;
    return input.count;
  };
  const offerSpanMs = (): number => {
    const now = end.at ?? Date.now();
    if (shape?.model === 'open') return Math.min(planDurationMs(shape), now - load.origin);
    return (load.offerEnd ?? now) - startedAt;
  };
  const result = (): StandardResult => {
    const total = totalOperations();
    const base = toResult(acc, {
      flow: input.flow,
      runId,
      status: end.status,
      totalOperations: total,
      concurrency: cap,
      elapsedMs: (end.at ?? Date.now()) - startedAt,
      stepOrder: flow.steps,
      params: {
        count: shape ? Math.max(1, total) : input.count,
        concurrency: cap,
        seed: input.seed,
        faults: input.faultsName,
        time_scale: input.sim.timeScale,
        ...(input.sim.localActivities ? { local_activities: true as const } : {}),
      },
    });
    const section = loadSection(load.tally, {
      model: shape?.model ?? 'closed',
      origin: shape?.model === 'open' ? load.origin : startedAt,
      spanMs: offerSpanMs(),
      maxInFlight: cap,
      open: isOpen(shape),
    });
    if (shape?.model === 'open') {
      section.start_rate = shape.start_rate;
      section.stages = shape.stages.map((s) => ({
        duration_seconds: s.duration_ms / 1000,
        target_rate: s.target_rate,
      }));
    }
    if (shape?.model === 'breakpoint') {
      const steps = load.steps ?? [];
      section.breakpoint = {
        ...breakpointVerdict(steps, end.status === 'completed'),
        step_factor: shape.step_factor,
        hold_seconds: shape.hold_ms / 1000,
        steps,
      };
    }
    return { ...base, load: section, series: seriesView(load.series) };
  };
  // Kills chaos made in the stack during the run, by id (a kill is sent again with its recovery time).
  let chaos = input.carried?.chaos;
  setHandler(chaosKillSignal, (sent) => {
    const kills = new Map((chaos?.kills ?? []).map((k) => [k.id, k]));
    for (const k of sent.kills) kills.set(k.id, k);
    chaos = { ...sent, kills: [...kills.values()].sort((a, b) => a.id - b.id) };
  });
  const withChaos = (r: StandardResult): StandardResult => (chaos ? { ...r, chaos } : r);
  setHandler(summaryQuery, () => withChaos(result()));

  const finish = (workflowId: string, outcome: FlowOutcome): void => {
    if (!inFlight.delete(workflowId)) return;
    countFlowEnded(input.flow, outcome.outcome);
    addOutcome(acc, outcome);
    if (load.step) addOutcome(load.step.acc, outcome);
    noteCompletion(load.series, Date.now(), outcome.duration_ms, outcome.outcome === 'failed', inFlight.size);
  };

  // Flows started before continue-as-new: this run collects them by id, as they close.
  const adopted = new Map(load.inFlight.map((f) => [f.workflowId, f]));
  const collecting = (async () => {
    while (adopted.size) {
      const closed: CollectedFlow[] = await collect_flows([...adopted.values()]);
      for (const c of closed) {
        adopted.delete(c.workflowId);
        finish(c.workflowId, c.outcome);
      }
    }
  })();
  collecting.catch((err) => log.warn('collecting flows of the previous run failed', { error: String(err) }));

  const tallies = () => (load.step ? [load.tally, load.step.tally] : [load.tally]);

  /** Starts one flow; `scheduledFor` (workflow ms) when an open schedule set its time, for its lateness. */
  const launch = async (scheduledFor?: number): Promise<void> => {
    const index = next++;
    const workflowId = `${runId}-${String(index).padStart(5, '0')}`;
    inFlight.set(workflowId, index);
    starting++;
    startedThisRun++;
    const began = Date.now();
    // A start counts, and its lateness is taken, when the parent issues it: the server's acknowledgement comes in a
    // later workflow task, which queues behind the flows' own tasks and would make a busy worker look late.
    for (const t of tallies()) {
      t.scheduled += 1;
      t.started += 1;
      t.last_start_at = began;
      t.peak_in_flight = Math.max(t.peak_in_flight, inFlight.size);
      if (scheduledFor !== undefined) record(t.lateness, began - scheduledFor);
    }
    noteStart(load.series, began, inFlight.size);
    countFlowStarted(input.flow);
    let outcome: FlowOutcome;
    try {
      let child;
      try {
        child = await startChild(flow.workflowType, {
          workflowId,
          args: [{ runId, index, seed: input.seed, sim: input.sim }],
          typedSearchAttributes: [
            { key: FLOW_NAME, value: input.flow },
            { key: STRESS_RUN_ID, value: runId },
          ],
          // An open model continues as new with flows in flight: they must outlive the run that started them.
          ...(isOpen(shape) ? { parentClosePolicy: ParentClosePolicy.ABANDON } : {}),
        });
      } finally {
        starting--;
      }
      outcome = await child.result();
    } catch (err) {
      // The flow workflow itself failed (not one of its steps): count it, with the reason.
      const duration_ms = Date.now() - began;
      outcome = { outcome: 'failed', duration_ms, steps: [], failed_step: 'workflow', error: String(err), refs: {} };
    }
    finish(workflowId, outcome);
  };

  const drop = (): void => {
    for (const a of load.step ? [acc, load.step.acc] : [acc]) {
      a.failed += 1;
      a.failurePoints.dropped = (a.failurePoints.dropped ?? 0) + 1;
    }
    for (const t of tallies()) {
      t.scheduled += 1;
      t.dropped += 1;
    }
    noteDrop(load.series, Date.now());
  };

  const limit = input.childrenPerRun ?? CHILDREN_PER_RUN;
  const mustContinue = () => startedThisRun >= limit || workflowInfo().continueAsNewSuggested;
  const carryOn = async (): Promise<never> => {
    // Every start must be acknowledged before the run hands its flows to the next one.
    await condition(() => starting === 0);
    load.inFlight = [...inFlight].map(([workflowId, index]) => ({ workflowId, index }));
    return continueAsNew<typeof stressRun>({ ...input, carried: { next, acc, startedAt, load, chaos } });
  };

  /** Paces the starts of `plan` from `load.origin` by the workflow clock, one timer per tick; false to continue. */
  const offer = async (plan: ArrivalPlan): Promise<boolean> => {
    const total = plannedStarts(plan);
    while (load.issued < total) {
      if (mustContinue()) return false;
      const due = startsDueBy(plan, Date.now() - load.origin, total);
      for (; load.issued < due; load.issued++) {
        // A start the cap refuses is dropped, not made up later.
        if (inFlight.size >= cap) drop();
        else void launch(load.origin + scheduledAt(plan, load.issued));
      }
      if (load.issued >= total) break;
      const nextAt = scheduledAt(plan, load.issued);
      await sleep(Math.max(1, load.origin + Math.ceil(nextAt / TICK_MS) * TICK_MS - Date.now()));
    }
    return true;
  };

  if (shape?.model === 'open') {
    if (!(await offer(shape))) return carryOn();
  } else if (shape?.model === 'breakpoint') {
    const steps = load.steps!;
    const goOn = () => steps.length < shape.max_steps && steps.every((s) => s.passed && !s.tester_limited);
    while (goOn()) {
      if (!load.step) {
        load.step = { acc: emptyRun(), tally: emptyTally() };
        load.origin = Date.now();
        load.issued = 0;
      }
      if (!(await offer(stepPlan(shape, steps.length)))) return carryOn();
      // A flow counts toward the step it started in: the step is judged once they have all ended.
      await condition(() => inFlight.size === 0);
      const stepResult = toResult(load.step.acc, {
        flow: input.flow,
        runId,
        status: 'completed',
        totalOperations: load.step.tally.scheduled,
        concurrency: cap,
        elapsedMs: Date.now() - load.origin,
        stepOrder: flow.steps,
        params: {
          count: Math.max(1, load.step.tally.scheduled),
          concurrency: cap,
          seed: input.seed,
          faults: input.faultsName,
          time_scale: input.sim.timeScale,
        },
      });
      const rate = stepRate(shape.start_rate, shape.step_factor, steps.length);
      steps.push(judgeStep(rate, stepResult, load.step.tally, shape.hold_ms, shape.thresholds));
      load.step = undefined;
      if (mustContinue() && goOn()) return carryOn();
    }
    load.offerEnd = Date.now();
  } else {
    // The closed model: at most `concurrency` at once, for `count` flows or until the duration is up.
    const deadline = shape?.model === 'closed' ? startedAt + shape.duration_ms : undefined;
    const more = () => (deadline === undefined ? next < input.count : Date.now() < deadline);
    while (more() && !mustContinue()) {
      await condition(() => inFlight.size < input.concurrency);
      if (!more()) break;
      void launch();
    }
    // The closed model drains before it continues: its flows are the parent's children until they end.
    await condition(() => inFlight.size === 0);
    if (more()) return carryOn();
    load.offerEnd = Date.now();
  }
  await condition(() => inFlight.size === 0);

  end.status = 'completed';
  end.at = Date.now();
  const final = withChaos(result());
  await validated('run', final);
  upsertSearchAttributes([{ key: RUN_OUTCOME, value: final.failed === 0 ? 'passed' : 'had_failures' }]);
  try {
    await store_stress_run(final, startedAt);
  } catch (err) {
    // The result is in history and the query either way; a database outage must not fail the run.
    log.warn('could not store the result in stress_runs', { error: String(err) });
  }
  return final;
}
