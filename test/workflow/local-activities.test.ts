/**
 * `--local-activities`: the quick steps run as local activities. On the local dev server, with STUB activities
 * except one that runs through the real timing wrapper (`attempted`, as every activity of the project does), so
 * the attempts' times a local retry cannot heartbeat are still carried from attempt to attempt.
 */
import { Context } from '@temporalio/activity';
import { attempted } from '../../src/activities/http';
import { FLOWS } from '../../src/flows/catalog';
import { STEP_PRESETS } from '../../src/flows/step-presets';
import type { FlowOutcome } from '../../src/flows/types';
import { flowInput, SIM, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();

test('quick steps run as local activities (markers in history), and a retried one keeps every attempt and its backoff', async () => {
  const stubs = stubActivities();
  // db_crud fails its first two attempts, through the real wrapper that times attempts.
  const stub = stubs.activities.db_crud;
  stubs.activities.db_crud = (...args) =>
    attempted(async () => {
      if (Context.current().info.attempt <= 2) throw new Error('not yet');
      return ((await stub(...args)) as { value: unknown }).value;
    });
  const input = { ...flowInput(), sim: { ...SIM, localActivities: true } };
  const handle = await env.start(stubs, 'databaseOperations', [input]);
  const outcome = await handle.result();
  expect((outcome as FlowOutcome).outcome).toBe('completed');

  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
  const markers = events.filter((e) => e.markerRecordedEventAttributes).length;
  const steps = FLOWS['database-operations'].definitions;
  expect(steps.every((s) => s.preset === 'fastCall')).toBe(true);
  // No activity task went through the server; one marker per step (a local activity records its final answer).
  expect(scheduled).toBe(0);
  expect(markers).toBe(steps.length);

  const crud = (outcome as FlowOutcome).steps.find((s) => s.step === 'crud');
  expect(crud).toMatchObject({ status: 'completed', attempts: 3, unreported_attempts: 0 });
  expect(crud?.attempt_service_ms).toHaveLength(3);
  // The two retries waited at least the preset's first two backoff intervals (200 ms, then 400 ms).
  const first = 200;
  expect(STEP_PRESETS.fastCall.retry.initialInterval).toBe(`${first}ms`);
  expect(crud?.backoff_ms).toBeGreaterThanOrEqual(first + 2 * first);
  expect(crud?.overhead_ms).toBeGreaterThanOrEqual(0);
});

test('without the option every step is an activity task in history', async () => {
  const handle = await env.start(stubActivities(), 'databaseOperations', [flowInput()]);
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0);
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(
    FLOWS['database-operations'].steps.length,
  );
});
