import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Activities } from '../activities';
import { FLOWS, stepActivities, type FlowName, type StepDefinition, type StepTarget } from '../flows/catalog';
import { RUN_OUTCOME } from '../flows/search-attributes';
import { STEP_PRESETS } from '../flows/step-presets';
import { callDraw, rerunDraw } from '../flows/draws';
import type {
  Attempted,
  AttemptTime,
  CallContext,
  FlowInput,
  FlowOutcome,
  SimSettings,
  StepRecord,
} from '../flows/types';
import { splitStepTime } from '../stats/step-time';
import { recordStep } from './flow-metrics';

/** Thrown inside a flow when a step failed for good; the flow turns it into a `failed` outcome. */
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

type ActivityName = keyof Activities;
type Flow = (typeof FLOWS)[FlowName];
type StepOf<F extends FlowName> = (typeof FLOWS)[F]['definitions'][number];
/** The step names of flow F. */
export type StepName<F extends FlowName> = StepOf<F>['name'];
type DefinitionOf<F extends FlowName, S> = Extract<StepOf<F>, { name: S }>;
/** The activity a one-activity step runs: the first the catalog names, or the one named after the step. */
type ActivityOf<F extends FlowName, S> =
  DefinitionOf<F, S> extends { activities: readonly [infer A, ...unknown[]] } ? A : S;
type Drop<T extends unknown[], N extends number, Seen extends unknown[] = []> = Seen['length'] extends N
  ? T
  : T extends [unknown, ...infer Rest]
    ? Drop<Rest, N, [...Seen, unknown]>
    : T;
/** A one-activity step's arguments: the activity's, after the call contexts the recorder supplies. */
type CallArgs<F extends FlowName, S> =
  ActivityOf<F, S> extends ActivityName
    ? Drop<Parameters<Activities[ActivityOf<F, S>]>, DefinitionOf<F, S>['services']['length']>
    : never;
type ValueOf<A extends ActivityName> = Awaited<ReturnType<Activities[A]>> extends Attempted<infer V> ? V : never;
type CallValue<F extends FlowName, S> = ActivityOf<F, S> extends ActivityName ? ValueOf<ActivityOf<F, S>> : never;

/** A flow's part of each call's draw. */
interface FlowDraw {
  flow: FlowName;
  seed: number;
  index: number;
  /** Set in a run made by a reset (`npm run rerun`): its calls draw afresh. */
  resetRunId?: string;
}

/**
 * This run's id when a reset made it (a reset changes the run id but keeps the id on the started event), else
 * undefined. Constant for the whole run, so a replay of the reset run computes the same draws.
 */
function resetRunId(): string | undefined {
  const info = workflowInfo();
  return info.runId !== info.originalExecutionRunId ? info.runId : undefined;
}

/** One call an activity answered or failed: its attempts and their times. */
interface CallTimes {
  attempts: number;
  times: AttemptTime[];
}

const isCallContext = (a: unknown): a is CallContext & { draw: string } =>
  typeof a === 'object' && a !== null && typeof (a as CallContext).draw === 'string' && 'key' in a && 'faults' in a;

/** The details an activity's failure carries (see activities/http.ts): the attempt and the times so far. */
function failureDetails(err: unknown): { attempt?: number; times?: AttemptTime[] } {
  if (!(err instanceof ActivityFailure)) return {};
  if (err.cause instanceof ApplicationFailure) {
    return (err.cause.details?.[0] as { attempt?: number; times?: AttemptTime[] } | undefined) ?? {};
  }
  // A timed-out attempt never answered: its heartbeats still carry the earlier attempts' times.
  if (err.cause instanceof TimeoutFailure) {
    const carried = err.cause.lastHeartbeatDetails as { times?: AttemptTime[] } | undefined;
    return { times: Array.isArray(carried?.times) ? carried.times : [] };
  }
  return {};
}

function messageOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The activity proxy of one step: its preset's timeouts and retries, its name as the summary the Web UI shows.
 * With `localActivities`, a quick step (preset `fastCall`) runs as a local activity: in this worker, with no
 * activity task through the server, its attempts recorded as markers rather than activity events; its heartbeat
 * timeout does not apply (local activities cannot heartbeat), the rest of the preset does.
 */
function stepProxy(def: StepDefinition, sim: SimSettings): Activities {
  const preset = STEP_PRESETS[def.preset];
  if (sim.localActivities && def.preset === 'fastCall') {
    const { startToCloseTimeout, scheduleToCloseTimeout, retry } = preset;
    return proxyLocalActivities<Activities>({ startToCloseTimeout, scheduleToCloseTimeout, retry, summary: def.name });
  }
  return proxyActivities<Activities>({ ...preset, summary: def.name });
}

/**
 * Inside one step: the calls it makes (each named in the catalog), their contexts and its durable waits.
 * It counts attempts across its calls (1 + every call's retries) and keeps every attempt's time.
 */
export class StepScope {
  private readonly calls: CallTimes[] = [];
  /** Activity calls begun in this step: the second and later get draws of their own (see `call`). */
  private callsBegun = 0;
  waitMs = 0;

  constructor(
    private readonly def: StepDefinition,
    private readonly sim: SimSettings,
    private readonly proxy: Activities,
    /** This flow's part of each call's draw: flow, seed and index (and the run id of a reset run). */
    private readonly flowDraw: FlowDraw,
  ) {}

  /** The call context for this step against one of its services: idempotency key (with an optional part), faults. */
  ctx(service: StepTarget, part?: string): CallContext {
    if (!this.def.services.includes(service)) {
      throw ApplicationFailure.nonRetryable(`step ${this.def.name} does not call ${service}`, 'UndeclaredService');
    }
    const key = `${workflowInfo().workflowId}:${this.def.name}${part ? `:${part}` : ''}`;
    // PostgreSQL has no injected faults: only the key and the time scale matter to it.
    const faults = this.sim.faults[service === 'postgres' ? 'gateway' : service];
    const { flow, seed, index, resetRunId } = this.flowDraw;
    const draw = rerunDraw(callDraw(flow, seed, index, this.def.name, part), resetRunId);
    return { key, faults, timeScale: this.sim.timeScale, draw };
  }

  /** The contexts of every service the step calls, in catalog order (a one-activity step's leading arguments). */
  contexts(part?: string): CallContext[] {
    return this.def.services.map((s) => this.ctx(s, part));
  }

  /** Runs one of the step's activities; its retries count for the step. */
  async call<A extends ActivityName>(activity: A, ...args: Parameters<Activities[A]>): Promise<ValueOf<A>> {
    if (!stepActivities(this.def).includes(activity)) {
      throw ApplicationFailure.nonRetryable(
        `step ${this.def.name} runs ${activity}, which its catalog entry does not name`,
        'UndeclaredActivity',
      );
    }
    const fn = this.proxy[activity] as (...a: unknown[]) => Promise<Attempted<ValueOf<A>>>;
    // A step that calls again with the same context (a status poll in a loop) must not draw the same latency and
    // fault each time: its n-th call after the first marks the draws of the contexts it passes.
    const nth = this.callsBegun++;
    const sent = nth === 0 ? args : args.map((a) => (isCallContext(a) ? { ...a, draw: `${a.draw}#${nth}` } : a));
    try {
      const answer = await fn(...sent);
      this.calls.push({ attempts: answer.attempt, times: answer.times ?? [] });
      return answer.value;
    } catch (err) {
      if (!isCancellation(err)) {
        const d = failureDetails(err);
        const attempts = d.attempt ?? (err instanceof ActivityFailure ? this.maxAttempts : 1);
        this.calls.push({ attempts, times: d.times ?? [] });
      }
      throw err;
    }
  }

  /** A durable wait inside the step (a Temporal timer), recorded as the step's own wait. */
  async sleep(ms: number): Promise<void> {
    const began = Date.now();
    await sleep(ms);
    this.waitMs += Date.now() - began;
  }

  /** The activity a one-activity step runs. */
  get firstActivity(): ActivityName {
    return stepActivities(this.def)[0] as ActivityName;
  }

  get maxAttempts(): number {
    return STEP_PRESETS[this.def.preset].retry.maximumAttempts;
  }

  /** 1 + every call's retries: a step of one call has that call's attempt count. */
  attempts(): number {
    return 1 + this.calls.reduce((n, c) => n + c.attempts - 1, 0);
  }

  /** Every attempt's time; attempts that never reported back are counted by number, to be charged their timeout. */
  times(): { times: AttemptTime[]; unreported: number } {
    const times = this.calls.flatMap((c) => c.times);
    const unreported = this.calls.reduce((n, c) => n + Math.max(0, c.attempts - c.times.length), 0);
    return { times, unreported };
  }

  get timeoutMs(): number {
    return msToNumber(STEP_PRESETS[this.def.preset].startToCloseTimeout);
  }
}

/**
 * Records the steps of one flow. The catalog is the one source of each step's services, activities and
 * retry preset: the workflow names a step once, and the recorder derives its call contexts, its activity
 * proxy (with the step's name as the activity summary the Web UI shows), its attempt limit and its record.
 * Step time is the workflow's clock from scheduling to result; service time is what the activities measured.
 */
export class StepRecorder<F extends FlowName> {
  readonly records: StepRecord[] = [];
  readonly refs: Record<string, string> = {};
  private readonly startedAt = Date.now();
  private readonly definitions: readonly StepDefinition[];
  private readonly sim: SimSettings;
  private readonly flowDraw: FlowDraw;
  private position = -1;

  constructor(
    private readonly flow: F,
    input: Pick<FlowInput, 'sim' | 'seed' | 'index'>,
  ) {
    this.definitions = (FLOWS[flow] as Flow).definitions;
    this.sim = input.sim;
    this.flowDraw = { flow, seed: input.seed, index: input.index, resetRunId: resetRunId() };
  }

  private definition(step: string): StepDefinition {
    const index = this.definitions.findIndex((d) => d.name === step);
    if (index < 0) throw ApplicationFailure.nonRetryable(`${this.flow} has no step ${step}`, 'UnknownStep');
    // Steps run in catalog order (a flow may end early, never go back or skip ahead of a step it ran).
    if (index <= this.position) {
      throw ApplicationFailure.nonRetryable(`${this.flow}: step ${step} out of catalog order`, 'StepOutOfOrder');
    }
    this.position = index;
    return this.definitions[index];
  }

  /** A step of one activity: the catalog's activity, called with the contexts of the step's services first. */
  call<S extends StepName<F>>(step: S, ...args: CallArgs<F, S>): Promise<CallValue<F, S>> {
    return this.run(step, (scope) =>
      scope.call(
        scope.firstActivity,
        ...([...scope.contexts(), ...args] as never as Parameters<Activities[ActivityName]>),
      ),
    ) as Promise<CallValue<F, S>>;
  }

  /** A step whose body makes several calls, durable waits or checks of its own (through the scope). */
  async run<T>(step: StepName<F>, body: (scope: StepScope) => Promise<T>): Promise<T> {
    const def = this.definition(step);
    const scope = new StepScope(def, this.sim, stepProxy(def, this.sim), this.flowDraw);
    const started = Date.now();
    const record = (status: StepRecord['status'], error?: string): StepRecord => {
      const duration = Date.now() - started;
      const { times, unreported } = scope.times();
      return {
        step,
        status,
        started_at: started,
        duration_ms: duration,
        attempts: scope.attempts(),
        ...splitStepTime({ durationMs: duration, times, unreported, timeoutMs: scope.timeoutMs, waitMs: scope.waitMs }),
        ...(error === undefined ? {} : { error }),
      };
    };
    const keep = (r: StepRecord) => {
      this.records.push(r);
      recordStep(this.flow, r);
    };
    try {
      const value = await body(scope);
      keep(record('completed'));
      return value;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = messageOf(err);
      keep(record('failed', error));
      throw new StepFailed(step, error);
    }
  }

  outcome(outcome: 'completed' | 'rejected'): FlowOutcome {
    return { outcome, duration_ms: Date.now() - this.startedAt, steps: this.records, refs: this.refs };
  }

  /**
   * A flow's body wrapped so a failed step ends the flow with a `failed` outcome instead of failing it;
   * the outcome is also set as the flow's RunOutcome search attribute, for the Web UI's filters.
   */
  async guard(body: () => Promise<FlowOutcome>): Promise<FlowOutcome> {
    let outcome: FlowOutcome;
    try {
      outcome = await body();
    } catch (err) {
      if (isCancellation(err) || !(err instanceof StepFailed)) throw err;
      outcome = { ...this.outcome('completed'), outcome: 'failed', failed_step: err.step, error: err.message };
    }
    upsertSearchAttributes([{ key: RUN_OUTCOME, value: outcome.outcome }]);
    return outcome;
  }
}
