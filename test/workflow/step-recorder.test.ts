/**
 * The step recorder's attempt counting and failure handling, on a local dev server with STUB activities:
 * the stubs fail as told and report the attempt times the test gives them, so each record can be checked
 * against what the activities said.
 */
import { FLOWS } from '../../src/flows/catalog';
import { STEP_PRESETS } from '../../src/flows/step-presets';
import type { FlowOutcome, StepRecord } from '../../src/flows/types';
import { flowInput, useWorkflowEnv } from './support/env';
import { stubActivities, type StubPlans } from './support/stubs';

const env = useWorkflowEnv();
const ATTEMPT_LIMIT = STEP_PRESETS.fastCall.retry.maximumAttempts;

async function run(workflowType: string, plans: StubPlans) {
  const stubs = stubActivities(plans);
  const outcome = await env.execute<FlowOutcome>(stubs, workflowType, [flowInput()]);
  const step = (name: string): StepRecord => {
    const record = outcome.steps.find((s) => s.step === name);
    if (!record) throw new Error(`no record of ${name} in ${outcome.steps.map((s) => s.step).join(', ')}`);
    return record;
  };
  const attemptsOf = (activity: string) => stubs.calls.filter((c) => c.activity === activity).map((c) => c.attempt);
  return { outcome, step, attemptsOf };
}

test('retries are counted, and service time and backoff are what each attempt reported', async () => {
  const { outcome, step, attemptsOf } = await run('databaseOperations', {
    db_jsonb: { fail: 2, serviceMs: [1, 2, 3], backoffMs: 2 },
  });
  expect(outcome.outcome).toBe('completed');
  expect(attemptsOf('db_jsonb')).toEqual([1, 2, 3]);
  const jsonb = step('jsonb');
  expect(jsonb).toMatchObject({
    status: 'completed',
    attempts: 3,
    attempt_service_ms: [1, 2, 3],
    service_ms: 6,
    backoff_ms: 4,
    wait_ms: 0,
    unreported_attempts: 0,
  });
  // The rest is overhead (the two retries waited at least 10 ms each, so there is some).
  expect(jsonb.overhead_ms).toBeCloseTo(jsonb.duration_ms - 6 - 4, 2);
  // The other steps answered at once.
  expect(step('crud')).toMatchObject({ attempts: 1, attempt_service_ms: [1], backoff_ms: 0 });
});

test('a step failing for good ends the flow failed with its step and error, after the attempt limit', async () => {
  const { outcome, step, attemptsOf } = await run('databaseOperations', { db_foreign_keys: { fail: 'always' } });
  const error = `stub db_foreign_keys failed attempt ${ATTEMPT_LIMIT}`;
  expect(outcome).toMatchObject({ outcome: 'failed', failed_step: 'foreign_keys', error });
  // The flow stops at the failed step.
  expect(outcome.steps.map((s) => [s.step, s.status])).toEqual([
    ['crud', 'completed'],
    ['foreign_keys', 'failed'],
  ]);
  expect(attemptsOf('db_foreign_keys')).toHaveLength(ATTEMPT_LIMIT);
  // The failure's details carried every attempt's time.
  expect(step('foreign_keys')).toMatchObject({
    attempts: ATTEMPT_LIMIT,
    attempt_service_ms: Array(ATTEMPT_LIMIT).fill(1),
    unreported_attempts: 0,
    error,
  });
});

test('a non-retryable failure is one attempt and fails the step at once', async () => {
  const { outcome, step, attemptsOf } = await run('databaseOperations', {
    db_transaction_rollback: { fail: 1, nonRetryable: true },
  });
  expect(outcome).toMatchObject({ outcome: 'failed', failed_step: 'transaction_rollback' });
  expect(attemptsOf('db_transaction_rollback')).toEqual([1]);
  expect(step('transaction_rollback')).toMatchObject({ status: 'failed', attempts: 1, attempt_service_ms: [1] });
});

test('an attempt that never reported is counted and charged the time nothing else explains', async () => {
  const { outcome, step } = await run('databaseOperations', { db_crud: { fail: 1, unreported: 1, serviceMs: [0, 2] } });
  expect(outcome.outcome).toBe('completed');
  const crud = step('crud');
  expect(crud).toMatchObject({ attempts: 2, unreported_attempts: 1, backoff_ms: 0, overhead_ms: 0 });
  expect(crud.attempt_service_ms).toHaveLength(2);
  expect(crud.attempt_service_ms[0]).toBe(2);
  // Charged at most its timeout: here, the rest of the step's time.
  expect(crud.attempt_service_ms[1]).toBeCloseTo(crud.duration_ms - 2, 2);
  expect(crud.service_ms).toBeCloseTo(crud.duration_ms, 2);
});

test("a step of several calls counts 1 + every call's retries", async () => {
  const upstreams = 5;
  const { outcome, step, attemptsOf } = await run('serviceCommunication', { gateway_routing: { fail: 1 } });
  expect(outcome.outcome).toBe('completed');
  expect(attemptsOf('gateway_routing')).toEqual(Array.from({ length: upstreams }, () => [1, 2]).flat());
  expect(step('gateway_routing')).toMatchObject({ attempts: 1 + upstreams, attempt_service_ms: Array(10).fill(1) });
  expect(outcome.steps.map((s) => s.step)).toEqual([...FLOWS['service-communication'].steps]);
});
