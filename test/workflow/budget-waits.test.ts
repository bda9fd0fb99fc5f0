/**
 * The budget flow's durable waits, on a local dev server with STUB activities: safe_executor_processing
 * looks at the change with change_status, with a Temporal timer between looks, until the change ends.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { callDraw } from '../../src/flows/draws';
import type { CallContext, FlowOutcome } from '../../src/flows/types';
import { FLOWS } from '../../src/flows/catalog';
import { flowInput, SIM, useWorkflowEnv } from './support/env';
import { stubActivities, type StubSet } from './support/stubs';

const env = useWorkflowEnv();
// As the flow computes it: a look every 5 s of platform time, at least 100 ms.
const POLL_MS = Math.min(5000, Math.max(100, 5000 * SIM.timeScale));

/** Stubs whose change_status answers these statuses in turn, then the last one again. */
function changeGoes(...statuses: string[]): StubSet {
  let looks = 0;
  return stubActivities({
    change_status: {
      answer: () => {
        const status = statuses[Math.min(looks++, statuses.length - 1)];
        return { status, last_error: status === 'dead_letter' ? 'meta refused it 3 times' : null, executed_at: null };
      },
    },
  });
}

async function run(stubs: StubSet): Promise<{ outcome: FlowOutcome; handle: WorkflowHandle }> {
  const handle = await env.start(stubs, 'budgetOptimization', [flowInput()]);
  return { outcome: (await handle.result()) as FlowOutcome, handle };
}

async function timersStarted(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
}

const processing = (outcome: FlowOutcome) => outcome.steps.find((s) => s.step === 'safe_executor_processing');

test('the flow looks at its change on durable timers until it is executed, and records the wait', async () => {
  const stubs = changeGoes('queued', 'processing', 'executed');
  const { outcome, handle } = await run(stubs);
  expect(outcome.outcome).toBe('completed');
  expect(outcome.steps.map((s) => s.step)).toEqual([...FLOWS['budget-optimization'].steps]);
  // Every look asked about the change the queue step returned.
  const looks = stubs.calls.filter((c) => c.activity === 'change_status');
  expect(looks.map((c) => c.args[1])).toEqual(Array(3).fill(outcome.refs.change_id));
  // Each look draws its own latency and fault: the same draw would give every look the same answer.
  const draws = looks.map((c) => (c.args[0] as CallContext).draw);
  const base = callDraw('budget-optimization', flowInput().seed, flowInput().index, 'safe_executor_processing');
  expect(draws.every((d) => d?.startsWith(base))).toBe(true);
  expect(new Set(draws).size).toBe(3);
  expect(await timersStarted(handle)).toBe(2);
  const step = processing(outcome)!;
  expect(step).toMatchObject({ status: 'completed', attempts: 1, attempt_service_ms: [1, 1, 1], backoff_ms: 0 });
  expect(step.wait_ms).toBeGreaterThanOrEqual(2 * POLL_MS);
  expect(step.wait_ms).toBeLessThanOrEqual(step.duration_ms);
});

test('a dead-lettered change fails the step, and the flow, naming the change and its last error', async () => {
  const { outcome, handle } = await run(changeGoes('queued', 'dead_letter'));
  const error = `change ${outcome.refs.change_id} dead-lettered: meta refused it 3 times`;
  expect(outcome).toMatchObject({ outcome: 'failed', failed_step: 'safe_executor_processing', error });
  expect(processing(outcome)).toMatchObject({ status: 'failed', attempts: 1, error });
  expect(processing(outcome)!.wait_ms).toBeGreaterThanOrEqual(POLL_MS);
  expect(await timersStarted(handle)).toBe(1);
});

test('a change the executor rejects ends the flow rejected, a business outcome', async () => {
  const { outcome } = await run(changeGoes('queued', 'rejected'));
  expect(outcome.outcome).toBe('rejected');
  expect(processing(outcome)).toMatchObject({ status: 'completed', attempts: 1 });
});
