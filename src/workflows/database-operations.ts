import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;

/**
 * The platform's PostgreSQL under load: CRUD, foreign keys, JSONB, rollback, concurrent writes, index use and
 * SKIP LOCKED claiming on the core tables. Each step works on rows keyed by its own idempotency key, checks
 * the property it names, and fails the flow if the property does not hold.
 */
export async function databaseOperations(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  // These steps talk to PostgreSQL, not a service: only the context's key is used.
  const keyed = (step: string) => steps.context(step, 'gateway');

  return steps.guard(async () => {
    const crud = await steps.run('crud', ATTEMPTS, () => fast.db_crud(keyed('crud')));
    steps.refs.campaign_id = crud.campaign_id;
    await steps.run('foreign_keys', ATTEMPTS, () => fast.db_foreign_keys(keyed('foreign_keys')));
    const jsonb = await steps.run('jsonb', ATTEMPTS, () => fast.db_jsonb(keyed('jsonb')));
    steps.refs.video_id = jsonb.video_id;
    await steps.run('transaction_rollback', ATTEMPTS, () =>
      fast.db_transaction_rollback(keyed('transaction_rollback')),
    );
    await steps.run('concurrent_writes', ATTEMPTS, () => fast.db_concurrent_writes(keyed('concurrent_writes')));
    await steps.run('index_performance', ATTEMPTS, () => fast.db_index_performance(keyed('index_performance')));
    await steps.run('skip_locked', ATTEMPTS, () => fast.db_skip_locked(keyed('skip_locked')));
    return steps.outcome('completed');
  });
}
