import type { FlowInput, FlowOutcome } from '../flows/types';
import { StepRecorder } from './steps';

/**
 * The platform's PostgreSQL under load: CRUD, foreign keys, JSONB, rollback, concurrent writes, index use and
 * SKIP LOCKED claiming on the core tables. Each step works on rows keyed by its own idempotency key, checks
 * the property it names, and fails the flow if the property does not hold.
 */
export async function databaseOperations(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('database-operations', input);
  return steps.guard(async () => {
    const crud = await steps.call('crud');
    steps.refs.campaign_id = crud.campaign_id;
    await steps.call('foreign_keys');
    const jsonb = await steps.call('jsonb');
    steps.refs.video_id = jsonb.video_id;
    await steps.call('transaction_rollback');
    await steps.call('concurrent_writes');
    await steps.call('index_performance');
    await steps.call('skip_locked');
    return steps.outcome('completed');
  });
}
