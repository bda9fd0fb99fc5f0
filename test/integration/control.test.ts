/**
 * Live control on the real stack, through `npm run control`: an open run paused starts nothing while its flows
 * in flight end, resumed at a raised rate it starts at that rate, every change is in the result, and a bad value
 * or an unknown or finished run exits 2 with one line. A suite's id reaches the flow it runs now.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { startStressRun } from '../../src/cli/run-stress';
import { startStressSuite } from '../../src/cli/suite-command';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import type { LoadShape } from '../../src/load/shape';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import type { SuiteResult } from '../../src/result/suite-schema';
import { summaryQuery } from '../../src/workflows/definitions';
import { runCommand } from '../support/spawn';
import { runOptions } from '../support/runs';
import { testStackEnv, useTestStack } from '../support/stack';

const stack = useTestStack();

const none = BUILT_IN_PROFILES.none;
// Drive Intel calls of 1 s (100 s of platform time at scale 0.01): each flow stays in flight a while.
const slow: FaultProfile = {
  name: 'drive-intel-1s',
  defaults: none.defaults,
  services: { 'drive-intel': { ...none.defaults, latency: { distribution: 'fixed', ms: 100_000 } } },
};

const open = (rate: number, seconds: number): LoadShape => ({
  model: 'open',
  start_rate: rate,
  stages: [{ duration_ms: seconds * 1000, target_rate: rate }],
  max_in_flight: 500,
});

/** `npm run control …` against the test stack: its exit code and its output's non-empty lines. */
async function control(...args: string[]) {
  const { code, stdout, stderr } = await runCommand('npm', ['run', '--silent', 'control', ...args], testStackEnv());
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  return { code, out: lines(stdout), err: lines(stderr) };
}

/** Polls the run's summary until `done` holds of it, for at most 60 s. */
async function summaryWhen(handle: WorkflowHandle, done: (r: StandardResult) => boolean): Promise<StandardResult> {
  const until = Date.now() + 60_000;
  for (;;) {
    const r = await handle.query(summaryQuery).catch(() => undefined);
    if (r && done(r)) return r;
    if (Date.now() > until) throw new Error(`the run's summary never got there: ${JSON.stringify(r?.load)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each flow's start time (server clock, ms), by its index in the run. */
async function childStarts(client: Client, runId: string): Promise<Map<number, number>> {
  const starts = new Map<number, number>();
  for await (const w of client.workflow.list({ query: `StressRunId="${runId}" AND WorkflowType!="stressRun"` })) {
    starts.set(Number(w.workflowId.slice(runId.length + 1)), w.startTime.getTime());
  }
  return starts;
}

test('pause starts nothing while flows in flight end; resume at a raised rate; every change in the result', async () => {
  await stack.withWorker(async () => {
    // 2 flows/s for 5 minutes: still offering however slowly the CLI starts on a busy machine; a stop ends it.
    const opts = runOptions({ faults: slow, faultsName: slow.name, load: open(2, 300) });
    const handle = await startStressRun(stack.client, opts);
    const runId = handle.workflowId;
    await summaryWhen(handle, (r) => (r.load?.started ?? 0) >= 3);

    const paused = await control(runId, 'pause');
    expect(paused).toMatchObject({ code: 0, err: [] });
    expect(paused.out).toEqual([expect.stringMatching(new RegExp(`^paused ${runId} at [\\d.]+ s`))]);
    const atPause = (await handle.query(summaryQuery)).load!.started;
    // Flows take 1 s or more: at 2/s the schedule would have started more while they ended, had it not been paused.
    const drained = await summaryWhen(handle, (r) => r.completed_operations === r.load!.started);
    expect(drained.load!.started).toBe(atPause);

    const wrongModel = await control(runId, 'set', '--concurrency', '3');
    expect(wrongModel.code).toBe(2);
    expect(wrongModel.err).toEqual([expect.stringContaining('this run is an open model')]);
    expect((await control(runId, 'set', '--rate', '0')).err).toEqual(['--rate must be above 0 and at most 10000']);
    expect((await control(runId, 'set', '--rate', '6')).out).toEqual([expect.stringMatching(/^set rate 6\/s on /)]);
    expect((await control(runId, 'resume')).code).toBe(0);
    await summaryWhen(handle, (r) => r.load!.started >= atPause + 30);
    expect((await control(runId, 'stop')).code).toBe(0);
    const result = standardResultSchema.parse(await handle.result());

    expect(result.controls!.map((c) => [c.action, c.rate])).toEqual([
      ['pause', undefined],
      ['set', 6],
      ['resume', undefined],
      ['stop', undefined],
    ]);
    expect(result).toMatchObject({
      status: 'completed',
      total_operations: result.load!.started + result.load!.dropped,
    });
    expect(result.completed_operations).toBe(result.total_operations);
    const resumedAt = Date.parse(result.controls![2].at);
    const starts = await childStarts(stack.client, runId);
    expect(starts.size).toBe(result.load!.started);
    // No flow after those started by the pause began before the resume.
    for (const [i, t] of starts) if (i >= atPause) expect(t).toBeGreaterThanOrEqual(resumedAt);
    // Raised to 6/s: about 30 starts in the 5 s after the resume (not the 10 of 2/s).
    const soon = [...starts.values()].filter((t) => t >= resumedAt && t < resumedAt + 5000).length;
    expect(soon).toBeGreaterThanOrEqual(24);

    const finished = await control(runId, 'pause');
    expect(finished).toMatchObject({ code: 2, out: [] });
    expect(finished.err).toEqual([`'${runId}' has completed: nothing to control`]);
  });
});

test('an unknown id exits 2 with one line', async () => {
  const r = await control('no-such-run-anywhere', 'stop');
  expect(r.code).toBe(2);
  expect(r.err).toEqual([expect.stringMatching(/^no run, suite or schedule 'no-such-run-anywhere' in Temporal at /)]);
});

test("a suite's id reaches the flow it runs now", async () => {
  await stack.withWorker(async () => {
    const run = runOptions({ faults: slow, faultsName: slow.name, load: open(2, 20) });
    const suite = await startStressSuite(stack.client, { runs: [run], thresholds: [] });
    const child = stack.client.workflow.getHandle(`${suite.workflowId}-${run.flow}`);
    await summaryWhen(child, (r) => (r.load?.started ?? 0) >= 1);

    const stopped = await control(suite.workflowId, 'stop');
    expect(stopped.code).toBe(0);
    expect(stopped.out).toEqual([expect.stringContaining(`(suite ${suite.workflowId}'s running flow ${run.flow})`)]);
    const result = (await suite.result()) as SuiteResult;
    const flow = result.flows[0].result!;
    expect(flow.controls!.map((c) => c.action)).toEqual(['stop']);
    // Stopped early: far fewer than the 40 planned, every one that started completed.
    expect(flow.total_operations).toBeLessThan(40);
    expect(flow.completed_operations).toBe(flow.total_operations);
  });
});
