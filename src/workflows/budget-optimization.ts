import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { StepRecorder } from './steps';

const TERMINAL = new Set(['executed', 'rejected', 'dead_letter']);

/**
 * One optimization round of one ad set: Meta insights and HubSpot revenue in, Thompson sampling, the
 * decision gate, then the SafeExecutor. The flow waits on durable timers until its change is executed,
 * rejected or dead-lettered. A hold from the gate, or a rejection by the executor, is a business outcome;
 * a dead letter fails the flow.
 */
export async function budgetOptimization(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('budget-optimization', input);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const at = { seed: input.seed, ad_set_id: adSet.adSetId, round };
  steps.refs.ad_set_id = adSet.adSetId;

  return steps.guard(async () => {
    const insights = await steps.call('meta_insights_ingestion', at);
    const clicks = Object.fromEntries(insights.rows.map((r) => [r.ad_id, r.clicks]));
    await steps.call('hubspot_webhook', { ...at, clicks });
    const proposal = await steps.call('sampler_calculation', at);
    const gate = await steps.call('decision_gate', { ad_set_id: adSet.adSetId, ...proposal });
    steps.refs.decision_id = gate.decision_id;
    if (gate.decision === 'hold') return steps.outcome('rejected');

    const queued = await steps.call('safe_executor_queue', {
      ad_account_id: adSet.accountId,
      ad_set_id: adSet.adSetId,
      payload: {
        daily_budget: gate.budget,
        ad_split: proposal.split,
        seed: input.seed,
        decision_id: gate.decision_id,
      },
    });
    steps.refs.change_id = queued.change_id;

    // Durable wait: a timer between looks, never a sleeping activity. Looks come every 5 s of platform time.
    const pollMs = Math.min(5000, Math.max(100, 5000 * input.sim.timeScale));
    const final = await steps.run('safe_executor_processing', async (step) => {
      for (;;) {
        const change = await step.call('change_status', step.ctx('meta-publisher'), queued.change_id);
        if (change.status === 'dead_letter') {
          throw ApplicationFailure.nonRetryable(
            `change ${queued.change_id} dead-lettered: ${change.last_error}`,
            'DeadLetter',
          );
        }
        if (TERMINAL.has(change.status)) return change;
        await step.sleep(pollMs);
      }
    });
    return steps.outcome(final.status === 'executed' ? 'completed' : 'rejected');
  });
}
