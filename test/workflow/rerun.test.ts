/**
 * `npm run rerun`'s parts on a local dev server with STUB activities: a stress run whose flows fail at a step,
 * found by search attribute, reset with Temporal's reset API to that step, and run to the end without running the
 * steps before it again; the reset run draws afresh and replays without non-determinism.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { callDraw } from '../../src/flows/draws';
import type { FlowOutcome } from '../../src/flows/types';
import { planRerun } from '../../src/rerun/find-flows';
import { resetFlow } from '../../src/rerun/reset';
import { rerunResult } from '../../src/rerun/summary';
import { awaitResetRuns } from '../../src/rerun/wait';
import type { StandardResult } from '../../src/result/schema';
import { childWorkflowId } from '../support/runs';
import { SIM, useWorkflowEnv, WORKFLOW_ENV_VAR } from './support/env';
import { stubActivities, type StubCall } from './support/stubs';

const env = useWorkflowEnv();
const drawOf = (c: StubCall) => (c.args[0] as { draw: string }).draw;

test('failed flows are reset to their failed step: earlier steps are not run again, and the re-run draws afresh', async () => {
  const runId = `wf-rerun-${Date.now()}`;
  let broken = true;
  // foreign_keys fails for good in flows 0 and 2 while "the platform" is broken; flow 1 gets through.
  const before = async () => {
    const id = Context.current().info.workflowExecution?.workflowId ?? '';
    if (broken && !id.endsWith('-00001')) throw ApplicationFailure.nonRetryable('down', 'ServiceUnavailable');
  };
  const stubs = stubActivities({ db_foreign_keys: { before } });
  const input = { flow: 'database-operations', runId, count: 3, concurrency: 3, seed: 7, faultsName: 'none', sim: SIM };
  // Started, not executed: the stubs stay registered for the reset runs of its flows.
  const original = (await (await env.start(stubs, 'stressRun', [input], runId)).result()) as StandardResult;
  expect(original).toMatchObject({ failed: 2, failure_points: { foreign_keys: 2 } });

  const plans = await planRerun(env.client, runId, 2);
  expect(plans.map((p) => [p.workflowId, p.verdict.kind, 'step' in p.verdict && p.verdict.step])).toEqual([
    [childWorkflowId(runId, 0), 'reset', 'foreign_keys'],
    [childWorkflowId(runId, 2), 'reset', 'foreign_keys'],
  ]);

  broken = false;
  const callsBefore = stubs.calls.length;
  const runs = await Promise.all(
    plans.map(async (p) => {
      const eventId = p.verdict.kind === 'reset' ? p.verdict.eventId : 0;
      const newRun = await resetFlow(env.client, { ...p, eventId }, 'test', `${runId}:${p.workflowId}`);
      return { workflowId: p.workflowId, runId: newRun };
    }),
  );
  const outcomes = await awaitResetRuns(env.client, runs, () => undefined);
  expect(outcomes.map((o) => [o.outcome, o.error])).toEqual([
    ['completed', undefined],
    ['completed', undefined],
  ]);

  // Only foreign_keys and the steps after it ran again: crud, which succeeded, was not called a second time.
  const again = stubs.calls.slice(callsBefore);
  expect(again.some((c) => c.activity === 'db_crud')).toBe(false);
  const rerunKeys = again.filter((c) => c.activity === 'db_foreign_keys');
  expect(rerunKeys).toHaveLength(2);
  // The first run's draws are the seed's; a reset run's add its run id, so an injected fault is drawn afresh.
  for (const [i, r] of runs.entries()) {
    const first = stubs.calls.find((c) => c.activity === 'db_foreign_keys' && c.workflowId === r.workflowId)!;
    const base = callDraw('database-operations', 7, i * 2, 'foreign_keys');
    expect(drawOf(first)).toBe(base);
    expect(drawOf(rerunKeys.find((c) => c.workflowId === r.workflowId)!)).toBe(`${base}:rerun-${r.runId}`);
  }

  // The re-run's result counts the re-run part of each flow; the flows, done now, need no second re-run.
  const flows = outcomes.map((outcome: FlowOutcome, i: number) => ({
    outcome,
    workflowId: runs[i].workflowId,
    fromStep: 'foreign_keys',
  }));
  const result = rerunResult(original, `${runId}-rerun-1`, flows, 1000);
  expect(result).toMatchObject({ total_operations: 2, successful: 2, failed: 0 });
  expect(Object.keys(result.step_analysis)[0]).toBe('foreign_keys');
  const second = await planRerun(env.client, runId, 2);
  expect(second.map((p) => p.verdict.kind)).toEqual(['not_failed', 'not_failed']);

  // A reset run's history replays with the current code: the changed draws are inputs, not commands.
  const { bundlePath } = JSON.parse(process.env[WORKFLOW_ENV_VAR]!) as { bundlePath: string };
  const history = await env.client.workflow.getHandle(runs[0].workflowId, runs[0].runId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath } }, history, runs[0].workflowId);
});
