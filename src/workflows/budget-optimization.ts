import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
const TERMINAL = new Set(['executed', 'rejected', 'dead_letter']);

/**
 * One optimization round of one ad set: Meta insights and HubSpot revenue in, Thompson sampling, the
 * decision gate, then the SafeExecutor. The flow waits on durable timers until its change is executed,
 * rejected or dead-lettered. A hold from the gate, or a rejection by the executor, is a business outcome.
 */
export async function budgetOptimization(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const at = { seed: input.seed, ad_set_id: adSet.adSetId, round };
  steps.refs.ad_set_id = adSet.adSetId;

  const outcome = await steps.guard(async () => {
    const insights = await steps.run('meta_insights_ingestion', ATTEMPTS, () =>
      fast.meta_insights_ingestion(
        steps.context('meta_insights_ingestion', 'meta-publisher'),
        steps.context('meta_insights_ingestion', 'ml-service'),
        at,
      ),
    );
    const clicks = Object.fromEntries(insights.rows.map((r) => [r.ad_id, r.clicks]));
    await steps.run('hubspot_webhook', ATTEMPTS, () =>
      fast.hubspot_webhook(steps.context('hubspot_webhook', 'ml-service'), { ...at, clicks }),
    );
    const proposal = await steps.run('sampler_calculation', ATTEMPTS, () =>
      fast.sampler_calculation(steps.context('sampler_calculation', 'ml-service'), at),
    );
    const gate = await steps.run('decision_gate', ATTEMPTS, () =>
      fast.decision_gate(steps.context('decision_gate', 'ml-service'), { ad_set_id: adSet.adSetId, ...proposal }),
    );
    steps.refs.decision_id = gate.decision_id;
    if (gate.decision === 'hold') return steps.outcome('rejected');

    const queued = await steps.run('safe_executor_queue', ATTEMPTS, () =>
      fast.safe_executor_queue(steps.context('safe_executor_queue', 'meta-publisher'), {
        ad_account_id: adSet.accountId,
        ad_set_id: adSet.adSetId,
        payload: {
          daily_budget: gate.budget,
          ad_split: proposal.split,
          seed: input.seed,
          decision_id: gate.decision_id,
        },
      }),
    );
    steps.refs.change_id = queued.change_id;

    // Durable wait: a timer between looks, never a sleeping activity. Looks come every 5 s of platform time.
    const pollMs = Math.min(5000, Math.max(100, 5000 * input.sim.timeScale));
    const final = await steps.run('safe_executor_processing', 1, async () => {
      for (;;) {
        const { value } = await fast.change_status(
          steps.context('safe_executor_processing', 'meta-publisher'),
          queued.change_id,
        );
        if (value.status === 'dead_letter') {
          throw ApplicationFailure.nonRetryable(
            `change ${queued.change_id} dead-lettered: ${value.last_error}`,
            'DeadLetter',
          );
        }
        if (TERMINAL.has(value.status)) return { value, attempt: 1 };
        await sleep(pollMs);
      }
    });
    if (final.status === 'dead_letter')
      throw new Error(`change ${queued.change_id} dead-lettered: ${final.last_error}`);
    return steps.outcome(final.status === 'executed' ? 'completed' : 'rejected');
  });
  return outcome;
}
