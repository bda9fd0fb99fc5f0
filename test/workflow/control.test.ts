/**
 * Live control of the stress-run parent (Temporal Updates), on a local dev server with STUB activities: pause
 * holds the starts while the flows in flight end, resume and set go on from there, stop completes the result with
 * what was started, a new rate re-bases an open schedule, control survives continue-as-new, and a bad value is
 * refused by the validator and leaves the run as it was.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { parseThreshold } from '../../src/result/thresholds';
import { summaryQuery } from '../../src/workflows/definitions';
import type { StressRunInput } from '../../src/workflows/stress-run';
import { pauseUpdate, resumeUpdate, setUpdate, stopUpdate } from '../../src/workflows/stress-run/control';
import { childWorkflowId } from '../support/runs';
import { SIM, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();

function input(runId: string, extra: Partial<StressRunInput>): StressRunInput {
  const base = { flow: 'pattern-prediction' as const, runId, count: 6, concurrency: 2, seed: 7, faultsName: 'none' };
  return { ...base, sim: SIM, ...extra };
}

const gates: Array<() => void> = [];
// A test that fails with a gate shut would leave activities waiting, and the worker could not shut down.
afterEach(() => gates.forEach((open) => open()));

/** A gate the stubs' first step waits on: flows stay in flight until it opens. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { wait: () => opened, open: () => open() };
}

/** Polls the run's summary query until `done` holds of it (the condition the test needs), for at most 30 s. */
async function summaryWhen(handle: WorkflowHandle, done: (r: StandardResult) => boolean): Promise<StandardResult> {
  const until = Date.now() + 30_000;
  for (;;) {
    // Before the parent has set its capacity it has no query handler yet.
    const r = await handle.query(summaryQuery).catch((err: Error) => {
      if (err.name !== 'QueryNotRegisteredError') throw err;
    });
    if (r && done(r)) return r;
    if (Date.now() > until) throw new Error(`summary never got there: ${JSON.stringify(r?.load)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const startTime = async (id: string) => (await env.client.workflow.getHandle(id).describe()).startTime.getTime();

test('pause holds the starts while flows in flight end; set and resume go on; all in the result', async () => {
  const runId = `wf-control-pause-${Date.now()}`;
  const hold = gate();
  const stubs = stubActivities({ pattern_question: { before: hold.wait } });
  await env.start(stubs, 'stressRun', [input(runId, {})], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => r.load?.started === 2);

  const paused = await handle.executeUpdate(pauseUpdate);
  expect(paused).toMatchObject({ action: 'pause' });
  hold.open();
  // Both flows ended with room for more: a start would have come in the same workflow task as their end.
  const idle = await summaryWhen(handle, (r) => r.completed_operations === 2);
  expect(idle.load).toMatchObject({ started: 2 });
  expect(idle.controls).toEqual([paused]);

  const set = await handle.executeUpdate(setUpdate, { args: [{ concurrency: 3 }] });
  expect(set).toMatchObject({ action: 'set', concurrency: 3 });
  const resumed = await handle.executeUpdate(resumeUpdate);
  const result = (await handle.result()) as StandardResult;

  expect(result).toMatchObject({ status: 'completed', total_operations: 6, successful: 6, concurrent: 3 });
  expect(result.controls).toEqual([paused, set, resumed]);
  const offsets = result.controls!.map((c) => c.offset_seconds);
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  // Flows 2..5 started after the resume, none while paused.
  const resumedAt = Date.parse(resumed.at);
  for (let i = 2; i < 6; i++) expect(await startTime(childWorkflowId(runId, i))).toBeGreaterThanOrEqual(resumedAt);
  expect(stubs.stored).toEqual([result]);
});

test('stop ends the load: flows in flight finish, and the result counts what was started', async () => {
  const runId = `wf-control-stop-${Date.now()}`;
  const hold = gate();
  const stubs = stubActivities({ pattern_question: { before: hold.wait } });
  await env.start(stubs, 'stressRun', [input(runId, { count: 50 })], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => r.load?.started === 2);

  const stopped = await handle.executeUpdate(stopUpdate);
  hold.open();
  const result = (await handle.result()) as StandardResult;
  expect(result).toMatchObject({ status: 'completed', total_operations: 2, completed_operations: 2, successful: 2 });
  expect(result.controls).toEqual([stopped]);
  expect(() => standardResultSchema.parse(result)).not.toThrow();
});

/** The validator's refusal, as the client sees it: the update fails with the validator's message. */
async function refused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause?.message ?? '';
}

test('bad values are refused by the validator and leave the run as it was', async () => {
  const runId = `wf-control-bad-${Date.now()}`;
  const hold = gate();
  const stubs = stubActivities({ pattern_question: { before: hold.wait } });
  await env.start(stubs, 'stressRun', [input(runId, {})], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => r.load?.started === 2);

  const set = (args: unknown) => handle.executeUpdate(setUpdate, { args: [args as never] });
  expect(await refused(set({ concurrency: 0 }))).toMatch('concurrency must be a number above 0');
  expect(await refused(set({ concurrency: 2.5 }))).toMatch('concurrency must be a whole number');
  expect(await refused(set({ concurrency: null }))).toMatch('not null');
  expect(await refused(set({ rate: 5 }))).toMatch('this run is a closed model: rate paces an open model only');
  expect(await refused(set({ max_in_flight: 5 }))).toMatch('set concurrency');
  expect(await refused(set({ speed: 5 }))).toMatch("unknown setting 'speed'");
  expect(await refused(set({}))).toMatch('set needs rate, concurrency or max_in_flight');
  expect(await refused(handle.executeUpdate(resumeUpdate))).toMatch('the run is not paused');
  await handle.executeUpdate(stopUpdate);
  expect(await refused(handle.executeUpdate(stopUpdate))).toMatch('stopped already');
  expect(await refused(handle.executeUpdate(pauseUpdate))).toMatch('stopped already');

  hold.open();
  const result = (await handle.result()) as StandardResult;
  // Only the stop was accepted; the limit is the one the run started with.
  expect(result.controls!.map((c) => c.action)).toEqual(['stop']);
  expect(result).toMatchObject({ concurrent: 2, total_operations: 2 });
  // A refused update leaves nothing in history: only the accepted stop's events.
  const history = await handle.fetchHistory();
  const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  expect(accepted).toHaveLength(1);
});

test('an open run: pause shifts the schedule, a new rate re-bases it, and the totals follow', async () => {
  const runId = `wf-control-open-${Date.now()}`;
  const stubs = stubActivities();
  // 1/s for 10 minutes: long enough that the schedule is still offering however busy the machine; a stop ends it.
  const load = {
    model: 'open' as const,
    start_rate: 1,
    stages: [{ duration_ms: 600_000, target_rate: 1 }],
    max_in_flight: 50,
  };
  await env.start(stubs, 'stressRun', [input(runId, { load })], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => (r.load?.started ?? 0) >= 2);

  expect(await refused(handle.executeUpdate(setUpdate, { args: [{ concurrency: 3 }] }))).toMatch(
    'this run is an open model: concurrency',
  );
  const paused = await handle.executeUpdate(pauseUpdate);
  const held = await summaryWhen(handle, (r) => r.completed_operations === r.load!.started);
  const set = await handle.executeUpdate(setUpdate, { args: [{ rate: 20 }] });
  // While paused a new rate changes the plan, not the starts: still none.
  expect((await handle.query(summaryQuery)).load!.started).toBe(held.load!.started);
  const resumed = await handle.executeUpdate(resumeUpdate);
  // 20 more starts: at the old 1/s they would take 20 s; at 20/s about one.
  const after = await summaryWhen(handle, (r) => r.load!.started >= held.load!.started + 20);
  const stopped = await handle.executeUpdate(stopUpdate);
  const result = (await handle.result()) as StandardResult;

  expect(result.controls).toEqual([paused, set, resumed, stopped]);
  expect(result.status).toBe('completed');
  expect(result.total_operations).toBe(result.load!.started + result.load!.dropped);
  // Nothing started while paused: the first flow after the pause's count started after the resume.
  const firstAfter = await startTime(childWorkflowId(runId, held.load!.started));
  expect(firstAfter).toBeGreaterThanOrEqual(Date.parse(resumed.at));
  expect(Date.parse(resumed.at)).toBeGreaterThan(Date.parse(paused.at));
  // The new rate holds: the 20th start after the resume came well before 1/s could have made it.
  const twentieth = await startTime(childWorkflowId(runId, held.load!.started + 19));
  expect(twentieth - firstAfter).toBeLessThan(10_000);
  expect(after.load!.started).toBeGreaterThanOrEqual(held.load!.started + 20);
});

test('control survives continue-as-new: the limit, the pause and the list carry over', async () => {
  const runId = `wf-control-can-${Date.now()}`;
  const hold = gate();
  const stubs = stubActivities({ pattern_question: { before: hold.wait } });
  const started = await env.start(stubs, 'stressRun', [input(runId, { count: 7, childrenPerRun: 3 })], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => r.load?.started === 2);
  const set = await handle.executeUpdate(setUpdate, { args: [{ concurrency: 1 }] });
  hold.open();
  // Run 2 of the parent (after 3 children) answers with the change made in run 1.
  const later = await summaryWhen(handle, (r) => (r.load?.started ?? 0) >= 4);
  expect(later.controls).toEqual([set]);
  expect(later.concurrent).toBe(1);
  const paused = await handle.executeUpdate(pauseUpdate);
  const resumed = await handle.executeUpdate(resumeUpdate);
  const result = (await handle.result()) as StandardResult;
  expect(result.controls).toEqual([set, paused, resumed]);
  expect(result).toMatchObject({ status: 'completed', total_operations: 7, successful: 7, concurrent: 1 });
  expect((await handle.describe()).runId).not.toBe(started.firstExecutionRunId);
});

test('a breakpoint search takes max_in_flight, pause and stop; a stopped step is not judged', async () => {
  const runId = `wf-control-search-${Date.now()}`;
  const stubs = stubActivities();
  const load = {
    model: 'breakpoint' as const,
    start_rate: 4,
    step_factor: 2,
    hold_ms: 3000,
    max_steps: 3,
    max_in_flight: 50,
    thresholds: [parseThreshold('success_rate>=90')],
  };
  await env.start(stubs, 'stressRun', [input(runId, { load })], runId);
  const handle = env.client.workflow.getHandle(runId);
  await summaryWhen(handle, (r) => (r.load?.started ?? 0) >= 2);

  expect(await refused(handle.executeUpdate(setUpdate, { args: [{ rate: 8 }] }))).toMatch(
    'this run is a breakpoint search: rate paces an open model only',
  );
  const set = await handle.executeUpdate(setUpdate, { args: [{ max_in_flight: 10 }] });
  const paused = await handle.executeUpdate(pauseUpdate);
  const held = await summaryWhen(handle, (r) => r.completed_operations === r.load!.started);
  const stopped = await handle.executeUpdate(stopUpdate);
  const result = (await handle.result()) as StandardResult;

  expect(result.controls).toEqual([set, paused, stopped]);
  expect(result).toMatchObject({ status: 'completed', concurrent: 10, total_operations: held.load!.scheduled });
  expect(result.load).toMatchObject({ max_in_flight: 10, scheduled: held.load!.scheduled });
  expect(result.load!.breakpoint).toMatchObject({ verdict: 'not_found', steps: [] });
  expect(() => standardResultSchema.parse(result)).not.toThrow();
});
