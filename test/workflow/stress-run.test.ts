/**
 * The stress-run parent, on a local dev server with STUB activities: never more than `concurrency` flows at
 * once (by the server's own start and close times of the children), and continue-as-new carrying the totals.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { StandardResult } from '../../src/result/schema';
import type { StressRunInput } from '../../src/workflows/stress-run';
import { childWorkflowId } from '../support/runs';
import { SIM, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();
const FLOW = 'pattern-prediction';

function input(runId: string, extra: Partial<StressRunInput>): StressRunInput {
  return { flow: FLOW, runId, count: 8, concurrency: 3, seed: 7, faultsName: 'none', sim: SIM, ...extra };
}

const ms = (t: Date | undefined) => t?.getTime() ?? Number.NaN;

test('never more than `concurrency` flows run at once, and the bound is reached', async () => {
  const runId = `wf-stress-bound-${Date.now()}`;
  // Each flow's first step takes a while, so the flows would overlap if the parent let them.
  const stubs = stubActivities({ pattern_question: { before: () => new Promise((r) => setTimeout(r, 150)) } });
  const result = await env.execute<StandardResult>(stubs, 'stressRun', [input(runId, {})], runId);
  expect(result).toMatchObject({ status: 'completed', total_operations: 8, successful: 8, failed: 0 });

  const spans = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const d = await env.client.workflow.getHandle(childWorkflowId(runId, i)).describe();
      return [ms(d.startTime), ms(d.closeTime)] as const;
    }),
  );
  // At each child's start, the children started and not yet closed (a close at that instant is over).
  const overlaps = spans.map(([start]) => spans.filter(([s, c]) => s <= start && start < c).length);
  expect(Math.max(...overlaps)).toBe(3);
});

/** The runs of a workflow id, first to last, following each continue-as-new in history. */
async function runsOf(handle: WorkflowHandle, firstRunId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const runs = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

test('the parent continues as new every `childrenPerRun` flows and carries its totals to one result', async () => {
  const runId = `wf-stress-can-${Date.now()}`;
  const stubs = stubActivities({ pattern_question: { fail: 1 } });
  const handle = await env.start(
    stubs,
    'stressRun',
    [input(runId, { count: 7, concurrency: 2, childrenPerRun: 3 })],
    runId,
  );
  const result = (await handle.result()) as StandardResult;

  const runs = await runsOf(handle, handle.firstExecutionRunId);
  const childrenPerRun = runs.map((h) =>
    (h.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []),
  );
  expect(childrenPerRun).toEqual([
    [0, 1, 2].map((i) => childWorkflowId(runId, i)),
    [3, 4, 5].map((i) => childWorkflowId(runId, i)),
    [childWorkflowId(runId, 6)],
  ]);
  // Totals from all three runs: every flow, every retry, and one stored result.
  expect(result).toMatchObject({ status: 'completed', total_operations: 7, successful: 7, failed: 0 });
  expect(result.step_analysis.pattern_question).toMatchObject({ executions: 7, retries: 7, attempts: 14 });
  expect(result.step_analysis.video_edit_operations).toMatchObject({ executions: 7, retries: 0 });
  expect(stubs.stored).toEqual([result]);
});
