/**
 * Exemplars on the stress-run parent with STUB activities: the flow made slow at a known index is its step's and
 * the run's slowest, the flow made to fail is named with its error, across continue-as-new.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { StandardResult } from '../../src/result/schema';
import { childWorkflowId } from '../support/runs';
import { SIM, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();

test("the flow made slow at a known index is its step's slowest, and the failed one is named, across continue-as-new", async () => {
  const runId = `wf-exemplars-${Date.now()}`;
  const slow = childWorkflowId(runId, 4);
  const broken = childWorkflowId(runId, 1);
  const stubs = stubActivities({
    pattern_question: {
      before: async () => {
        const id = Context.current().info.workflowExecution?.workflowId;
        if (id === slow) await new Promise((r) => setTimeout(r, 400));
        if (id === broken) throw ApplicationFailure.nonRetryable('the model is gone', 'InvalidInput');
      },
    },
  });
  const input = {
    flow: 'pattern-prediction' as const,
    runId,
    count: 6,
    concurrency: 2,
    seed: 7,
    faultsName: 'none',
    sim: SIM,
    childrenPerRun: 2,
  };
  const result = await env.execute<StandardResult>(stubs, 'stressRun', [input], runId);
  expect(result).toMatchObject({ status: 'completed', successful: 5, failed: 1 });

  const e = result.exemplars!;
  expect(e.k).toBe(3);
  const step = e.steps.pattern_question;
  expect(step.slowest).toHaveLength(3);
  expect(step.slowest[0].workflow_id).toBe(slow);
  expect(step.slowest[0].duration_ms).toBeGreaterThanOrEqual(400);
  expect(step.slowest[0].duration_ms).toBeGreaterThan(step.slowest[1].duration_ms);
  expect(step.failed).toEqual([{ workflow_id: broken, error: expect.stringContaining('the model is gone') }]);
  expect(e.flow.slowest[0].workflow_id).toBe(slow);
  expect(e.flow.failed).toEqual([
    { workflow_id: broken, step: 'pattern_question', error: expect.stringContaining('the model is gone') },
  ]);
  // The closed model schedules no starts: no response times.
  expect(result.response_p95_ms).toBeUndefined();
});
