/**
 * Every flow, run on a local Temporal dev server against STUB activities (test/workflow/support/stubs.ts),
 * records exactly the steps its catalog entry declares, in order, and runs exactly the activities they name.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import { createHttpAgent } from '../../src/activities/http';
import { FLOW_NAMES, FLOWS, stepActivities, type StepDefinition } from '../../src/flows/catalog';
import type { FlowOutcome } from '../../src/flows/types';
import { SERVICE_NAMES, type ServiceName } from '../../src/services/catalog';
import { flowInput, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();

const definitions = (flow: (typeof FLOW_NAMES)[number]) => FLOWS[flow].definitions as readonly StepDefinition[];

test('every activity a catalog step names exists among the worker activities, and the stubs invent none', async () => {
  // Built with dummy deps: nothing connects until an activity runs.
  const agent = createHttpAgent();
  const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  const services = Object.fromEntries(SERVICE_NAMES.map((s) => [s, 'http://127.0.0.1:1'])) as Record<
    ServiceName,
    string
  >;
  try {
    const registered = Object.keys(createActivities({ services, agent, pool }));
    const named = FLOW_NAMES.flatMap((flow) => definitions(flow).flatMap((d) => stepActivities(d)));
    expect(named.filter((a) => !registered.includes(a))).toEqual([]);
    expect(Object.keys(stubActivities().activities).filter((a) => !registered.includes(a))).toEqual([]);
  } finally {
    await pool.end();
    await agent.close();
  }
});

test.each(FLOW_NAMES)(
  '%s records exactly its catalog steps, in order, running the activities they name',
  async (flow) => {
    const stubs = stubActivities();
    const outcome = await env.execute<FlowOutcome>(stubs, FLOWS[flow].workflowType, [flowInput()]);
    expect({ outcome: outcome.outcome, error: outcome.error }).toEqual({ outcome: 'completed', error: undefined });
    expect(outcome.steps.map((s) => s.step)).toEqual([...FLOWS[flow].steps]);
    expect(outcome.steps.every((s) => s.status === 'completed' && s.attempts === 1)).toBe(true);
    // The full path calls every activity the catalog names, and no other.
    const called = new Set(stubs.calls.map((c) => c.activity));
    expect([...called].sort()).toEqual([...new Set(definitions(flow).flatMap((d) => stepActivities(d)))].sort());
  },
);

test('the recorder refuses an activity the step does not name: the step fails and ends the flow failed', async () => {
  const stubs = stubActivities();
  const outcome = await env.execute<FlowOutcome>(stubs, 'undeclaredActivityProbe', [flowInput()]);
  expect(outcome).toMatchObject({
    outcome: 'failed',
    failed_step: 'crud',
    error: 'step crud runs db_jsonb, which its catalog entry does not name',
  });
  expect(stubs.calls).toEqual([]);
});

test('the recorder refuses a step out of catalog order: the workflow fails, naming the step', async () => {
  const stubs = stubActivities();
  const failure = await env.execute(stubs, 'outOfOrderProbe', [flowInput()]).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({
    type: 'StepOutOfOrder',
    message: 'database-operations: step crud out of catalog order',
  });
  // jsonb ran; crud never did.
  expect(stubs.calls.map((c) => c.activity)).toEqual(['db_jsonb']);
});
