import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { ChangeAudit } from '../activities/meta-api';
import { metaApiInputs } from '../flows/meta-api-inputs';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { StepRecorder, type StepScope } from './steps';

type MetaSteps = StepRecorder<'meta-api'>;
type MetaInputs = ReturnType<typeof metaApiInputs>;

const TERMINAL = new Set(['executed', 'rejected', 'dead_letter']);

/** The SafeExecutor's promises, in platform time, as this flow checks them. */
const RULES = { changesPerAccountHour: 15, jitterSeconds: [3, 18], maxMove: 0.2 } as const;

/** Durable wait for a change to end, looking every `pollMs`; a dead letter fails the step. */
async function awaitChange(step: StepScope, changeId: string, pollMs: number): Promise<ChangeAudit> {
  for (;;) {
    const audit = await step.call('meta_change_audit', step.ctx('meta-publisher'), changeId);
    if (audit.status === 'dead_letter')
      throw ApplicationFailure.nonRetryable(`change ${changeId} dead-lettered: ${audit.last_error}`, 'DeadLetter');
    if (TERMINAL.has(audit.status)) return audit;
    await step.sleep(pollMs);
  }
}

type CheckStep = 'jitter_delay' | 'fuzzy_budget' | 'budget_velocity_limit' | 'ad_change_history';
/** A step that reads the executor's record of a change and fails when `broken` names a broken rule. */
function check(
  steps: MetaSteps,
  name: CheckStep,
  changeId: string,
  broken: (a: ChangeAudit) => string | undefined,
): Promise<ChangeAudit> {
  return steps.run(name, async (step) => {
    const audit = await step.call('meta_change_audit', step.ctx('meta-publisher'), changeId);
    const why = broken(audit);
    if (why) throw ApplicationFailure.nonRetryable(`${name}: ${why}`, 'RuleBroken');
    return audit;
  });
}

/** Both changes waited out their jitter, and it lay within the executor's range. */
const jitterBroken =
  (ad: ChangeAudit) =>
  (a: ChangeAudit): string | undefined => {
    const [low, high] = RULES.jitterSeconds;
    for (const c of [ad, a]) {
      const j = c.jitter_seconds ?? -1;
      if (j < low || j > high) return `change ${c.id}: jitter ${j} s outside ${low}-${high} s`;
      // Timestamps are rounded to the microsecond: allow that much.
      if ((c.waited_seconds ?? 0) + 0.001 < j)
        return `change ${c.id}: executed ${c.waited_seconds} s in, before its jitter ${j} s`;
    }
    return undefined;
  };

/** The applied budget is fuzzed near its target (not a round number) and is what Meta holds. */
function fuzzyBudgetBroken(a: ChangeAudit): string | undefined {
  const r = a.rules;
  if (!r || r.applied === undefined || r.target === undefined) return 'no budget record';
  const cents = Math.round(r.applied * 100);
  if (cents % 50 === 0) return `applied budget ${r.applied} is a round number`;
  if (Math.abs(r.applied - r.target) > 0.37) return `applied ${r.applied} is not near the target ${r.target}`;
  if (Number(a.new_value?.daily_budget) !== r.applied) return `Meta has ${a.new_value?.daily_budget}, not ${r.applied}`;
  return undefined;
}

/** A request outside the velocity band was clipped (and only then), and the budget's spread stayed in bounds. */
function velocityBroken(a: ChangeAudit): string | undefined {
  const r = a.rules;
  if (!r || r.requested === undefined || r.velocity_low === undefined || r.velocity_high === undefined)
    return 'no velocity record';
  const outside = r.requested < r.velocity_low || r.requested > r.velocity_high;
  if (outside !== Boolean(r.clipped)) return `requested ${r.requested}: clipped is ${r.clipped}`;
  if ((a.velocity_spread ?? 1) > 1 + RULES.maxMove + 1e-9)
    return `budget spread ${a.velocity_spread} within 6 h exceeds ${RULES.maxMove * 100}%`;
  return undefined;
}

/** Each change left exactly one history row, and the ad's row has its Meta id. */
const historyBroken =
  (ad: ChangeAudit) =>
  (a: ChangeAudit): string | undefined => {
    for (const c of [ad, a]) if (c.history_rows !== 1) return `change ${c.id} has ${c.history_rows} history rows`;
    if (!ad.new_value?.ad_id) return 'the ad has no Meta id in its history';
    return undefined;
  };

/** The ad created through the SafeExecutor queue, waited for until executed. */
function createAd(steps: MetaSteps, inputs: MetaInputs, adSetId: string, pollMs: number): Promise<ChangeAudit> {
  return steps.run('ad_creation', async (step) => {
    const queued = await step.call('ad_creation', step.ctx('meta-publisher'), {
      ad_account_id: inputs.adAccountId,
      ad_set_id: adSetId,
      name: `${inputs.name} ad`,
      creative: inputs.creative,
    });
    const done = await awaitChange(step, queued.change_id, pollMs);
    if (done.status !== 'executed') throw ApplicationFailure.nonRetryable(`ad creation ${done.status}`, 'NotCreated');
    return done;
  });
}

/** Waits (durably) for the budget change, then checks the account's rate over every change around both. */
function budgetWithinRate(
  steps: MetaSteps,
  inputs: MetaInputs,
  ad: ChangeAudit,
  changeId: string,
  pollMs: number,
): Promise<ChangeAudit> {
  return steps.run('rate_limiting', async (step) => {
    const done = await awaitChange(step, changeId, pollMs);
    // The ad's hour may have filled up since it ran: look at it again.
    const adNow = await step.call('meta_change_audit', step.ctx('meta-publisher'), ad.id);
    const worst = Math.max(adNow.account_max_changes_per_hour, done.account_max_changes_per_hour);
    if (worst > RULES.changesPerAccountHour)
      throw ApplicationFailure.nonRetryable(
        `rate_limiting: ${worst} changes in one platform hour for ${inputs.adAccountId}`,
        'RuleBroken',
      );
    return done;
  });
}

/** The flow's steps in order, from the campaign to the last rule checked. */
async function metaApiSteps(steps: MetaSteps, input: FlowInput, inputs: MetaInputs): Promise<FlowOutcome> {
  // Looks at a queued change come every 60 s of platform time (between 0.25 and 5 s real).
  const pollMs = Math.min(5000, Math.max(250, 60_000 * input.sim.timeScale));
  const created = await steps.call('campaign_creation', {
    ad_account_id: inputs.adAccountId,
    name: inputs.name,
    daily_budget: inputs.dailyBudget,
  });
  steps.refs.campaign_id = created.campaign_id;
  steps.refs.ad_set_id = created.ad_set_id;

  const ad = await createAd(steps, inputs, created.ad_set_id, pollMs);
  steps.refs.ad_change_id = ad.id;
  steps.refs.ad_id = String(ad.new_value?.ad_id ?? '');

  const queued = await steps.call('safe_executor_queue', {
    ad_account_id: inputs.adAccountId,
    ad_set_id: created.ad_set_id,
    payload: { daily_budget: inputs.requestedBudget, seed: input.seed, flow: workflowInfo().workflowId },
  });
  const changeId = queued.change_id;
  steps.refs.change_id = changeId;

  const budget = await budgetWithinRate(steps, inputs, ad, changeId, pollMs);
  if (budget.status === 'rejected') return steps.outcome('rejected');
  await check(steps, 'jitter_delay', changeId, jitterBroken(ad));
  await check(steps, 'fuzzy_budget', changeId, fuzzyBudgetBroken);
  await check(steps, 'budget_velocity_limit', changeId, velocityBroken);
  await check(steps, 'ad_change_history', changeId, historyBroken(ad));
  return steps.outcome('completed');
}

/**
 * A campaign and its ad set created on the simulated Meta API (which answers over-limit calls as Meta does;
 * the retry waits what Meta says), an ad created through the SafeExecutor queue, then a budget change through
 * it. The flow waits on durable timers until each change is executed, then reads the executor's record and
 * fails the step whose rule was broken: the account's rate, the jitter, the fuzzed budget, the velocity limit,
 * the change history.
 */
export async function metaApi(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('meta-api', input);
  const inputs = metaApiInputs(input.seed, input.runId, input.index);
  steps.refs.ad_account_id = inputs.adAccountId;
  return steps.guard(() => metaApiSteps(steps, input, inputs));
}
