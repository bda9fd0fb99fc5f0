/**
 * STUB activities for the workflow tests: no service, no PostgreSQL. Each answers as the real activities do,
 * `{ value, attempt, times }`, with a plausible value that takes its flow down its full path, and can be told
 * to fail some attempts, fail for good, or fail as bad input (not retryable). The times each attempt reports
 * are the plan's, so a test can check what the step recorder makes of them.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../../src/activities';
import type { FLOWS, FlowName } from '../../../src/flows/catalog';
import type { Attempted, AttemptTime } from '../../../src/flows/types';
import type { StandardResult } from '../../../src/result/schema';
import { validateResult } from '../../../src/activities/stress-runs';
import { STUB_ANSWERS } from './stub-answers';

type Definition = (typeof FLOWS)[FlowName]['definitions'][number];
type ActivitiesOf<D> = D extends { activities: readonly (infer A)[] } ? A : D extends { name: infer N } ? N : never;
type Answering = { [K in keyof Activities]: Awaited<ReturnType<Activities[K]>> extends Attempted<unknown> ? K : never };
/** Every activity a flow's step runs, by the catalog (those that answer `{ value, attempt, times }`). */
export type FlowActivity = ActivitiesOf<Definition> & Answering[keyof Activities];
export type ValueOf<K extends FlowActivity> = Awaited<ReturnType<Activities[K]>> extends Attempted<infer V> ? V : never;
/** A stub's answer: the activity's value, from its arguments (call contexts first, as the activity takes them). */
export type Answers = { [K in FlowActivity]: (...args: Parameters<Activities[K]>) => ValueOf<K> };

export interface StubPlan<K extends FlowActivity = FlowActivity> {
  /** Attempts that fail before one succeeds, or 'always'. */
  fail?: number | 'always';
  /** Fail as bad input: Temporal does not retry it. */
  nonRetryable?: boolean;
  /** The service time each attempt reports, by attempt number from 1 (the last value repeats). */
  serviceMs?: number[];
  /** The retry backoff each attempt after the first reports. */
  backoffMs?: number;
  /** The first attempts leave no time behind (as if they timed out or their worker died). */
  unreported?: number;
  /** Called before answering (e.g. to hold the call and observe concurrency). */
  before?: () => Promise<void>;
  /** Replaces the default answer. */
  answer?: Answers[K];
}

export type StubPlans = { [K in FlowActivity]?: StubPlan<K> };

export interface StubCall {
  activity: string;
  workflowId: string;
  attempt: number;
  args: unknown[];
}

export interface StubSet {
  activities: Record<string, (...args: unknown[]) => Promise<unknown>>;
  /** Every attempt of every stub, in the order they started. */
  calls: StubCall[];
  /** What the stress-run parent stored. */
  stored: StandardResult[];
}

/** How long a retry of a failing stub waits: short, so retries cost the tests little (the server honours it). */
const RETRY_DELAY = '10ms';

function timesUpTo(plan: StubPlan, attempt: number, ok: boolean): AttemptTime[] {
  const ms = plan.serviceMs ?? [1];
  const times: AttemptTime[] = [];
  for (let a = 1 + (plan.unreported ?? 0); a <= attempt; a++) {
    times.push({
      attempt: a,
      service_ms: ms[Math.min(a, ms.length) - 1],
      ok: ok && a === attempt,
      backoff_ms: a > 1 ? (plan.backoffMs ?? 0) : 0,
    });
  }
  return times;
}

/** The stub set: every flow activity with its default answer, changed per activity by `plans`. */
export function stubActivities(plans: StubPlans = {}): StubSet {
  const calls: StubCall[] = [];
  const stored: StandardResult[] = [];
  const activities: StubSet['activities'] = {};
  for (const [name, defaultAnswer] of Object.entries(STUB_ANSWERS)) {
    const plan = (plans as Record<string, StubPlan | undefined>)[name] ?? {};
    const answer = (plan.answer ?? defaultAnswer) as (...args: unknown[]) => unknown;
    activities[name] = async (...args: unknown[]): Promise<Attempted<unknown>> => {
      const { attempt, workflowExecution } = Context.current().info;
      calls.push({ activity: name, workflowId: workflowExecution?.workflowId ?? '', attempt, args });
      await plan.before?.();
      const failing = plan.fail === 'always' || attempt <= (plan.fail ?? 0);
      if (failing) {
        throw ApplicationFailure.create({
          message: `stub ${name} failed attempt ${attempt}`,
          type: plan.nonRetryable ? 'InvalidInput' : 'ServiceUnavailable',
          nonRetryable: plan.nonRetryable ?? false,
          details: [{ attempt, times: timesUpTo(plan, attempt, false) }],
          nextRetryDelay: RETRY_DELAY,
        });
      }
      return { value: answer(...args), attempt, times: timesUpTo(plan, attempt, true) };
    };
  }
  activities.store_stress_run = async (result: unknown) => {
    stored.push(result as StandardResult);
  };
  // The parent sets the services' capacity at its start: there are no services here, so nothing to set.
  activities.apply_capacity = async () => ({});
  // The parents' final results are checked for real: the schema is no stub's business.
  activities.validate_result = async (kind: unknown, result: unknown) =>
    validateResult(kind as 'run' | 'suite', result);
  return { activities, calls, stored };
}
