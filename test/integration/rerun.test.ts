/**
 * `npm run rerun`, as typed, on the shared stack: the ML Service is stopped (SIGSTOP: it takes connections and
 * never answers) mid-run, so the flows that reach ctr_prediction then fail there after their retries. Once it is
 * continued, `rerun` resets them to that step: every flow completes, and the steps before it (video_upload,
 * scene_extraction on Drive Intel) make no second call and write no second row.
 */
import { request } from 'undici';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import type { FlowOutcome } from '../../src/flows/types';
import type { StandardResult } from '../../src/result/schema';
import type { ServiceName } from '../../src/services/catalog';
import { readStackFileContent } from '../../src/stack/stack-file';
import { TEST_STACK_FILE } from '../support/paths';
import { childWorkflowId, rowsPerFlow, runOptions, waitForCompleted } from '../support/runs';
import { runCommand } from '../support/spawn';
import { testStackEnv, useTestStack } from '../support/stack';

const stack = useTestStack();
const npmRun = (args: string[]) => runCommand('npm', ['run', '--silent', 'rerun', ...args], testStackEnv());
const lines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));

const INFRA = new Set(['/health', '/metrics', '/openapi.json', '/admin/capacity']);

/** Requests a service has answered on its own routes (its http_requests_total, health and metrics aside). */
async function callsTo(service: ServiceName): Promise<number> {
  const res = await request(`${stack.endpoints.services[service]}/metrics`);
  let n = 0;
  for (const line of (await res.body.text()).split('\n')) {
    const m = /^http_requests_total\{.*route="([^"]*)".*\} (\d+)/.exec(line);
    if (m && !INFRA.has(m[1])) n += Number(m[2]);
  }
  return n;
}

const pidOf = (name: string) => {
  const p = readStackFileContent(TEST_STACK_FILE)?.processes.find((c) => c.name === name);
  if (!p?.pid) throw new Error(`no ${name} in ${TEST_STACK_FILE}`);
  return p.pid;
};

test('rerun of an unknown run id exits 2 with one line', async () => {
  const { code, stderr } = await npmRun(['no-such-run-20261206']);
  expect(code).toBe(2);
  expect(lines(stderr)).toEqual([expect.stringMatching(/^no run 'no-such-run-20261206' in Temporal at /)]);
});

test('flows failed by a stopped service are finished by rerun: the earlier steps are not called again', async () => {
  const mlPid = pidOf('ml-service');
  await stack.withWorker(async () => {
    const { workflowId: runId } = await startStressRun(stack.client, runOptions({ count: 6, concurrency: 3 }));
    // Two flows done, at most three in flight: the sixth has not started, so it meets the stopped service.
    await waitForCompleted(stack.client, runId, 2);
    process.kill(mlPid, 'SIGSTOP');
    let result: StandardResult;
    try {
      const busy = await npmRun([runId]);
      expect({ code: busy.code, lines: lines(busy.stderr) }).toEqual({
        code: 2,
        lines: [`run '${runId}' is still in progress: re-run its failed flows once it has ended`],
      });
      result = await awaitStressRun(stack.client, runId);
    } finally {
      process.kill(mlPid, 'SIGCONT');
    }
    expect(result.failed).toBeGreaterThan(0);
    expect(result.failure_points).toEqual({ ctr_prediction: result.failed });

    const dry = await npmRun([runId, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would reset ${result.failed} failed flow`);
    expect(dry.stdout.match(/ctr_prediction\s+\d+/g)).toHaveLength(result.failed);

    const uploads = await rowsPerFlow(stack.pool, 'videos', runId, 'video_upload');
    const driveCalls = await callsTo('drive-intel');
    const mlCalls = await callsTo('ml-service');
    const rerun = await npmRun([runId]);
    expect({ code: rerun.code, stderr: rerun.stderr }).toMatchObject({ code: 0 });
    expect(rerun.stdout).toContain(`re-run of ${runId}: ${result.failed} of ${result.failed} failed flows now succeed`);

    // Every flow has completed now (or was rejected by the council, a business outcome).
    for (let i = 0; i < 6; i++) {
      const outcome = (await stack.client.workflow.getHandle(childWorkflowId(runId, i)).result()) as FlowOutcome;
      expect({ i, outcome: outcome.outcome }).not.toEqual({ i, outcome: 'failed' });
    }
    // Drive Intel (video_upload, scene_extraction) got no call during the re-run; the ML Service did.
    expect(await callsTo('drive-intel')).toBe(driveCalls);
    expect(await callsTo('ml-service')).toBeGreaterThanOrEqual(mlCalls + result.failed);
    // One upload row per flow, as before the re-run; one prediction per flow now.
    const after = await rowsPerFlow(stack.pool, 'videos', runId, 'video_upload');
    expect(after).toEqual(uploads);
    expect([after.size, [...after.values()].every((n) => n === 1)]).toEqual([6, true]);
    const predictions = await rowsPerFlow(stack.pool, 'predictions', runId, 'ctr_prediction');
    expect([predictions.size, [...predictions.values()].every((n) => n === 1)]).toEqual([6, true]);

    // The re-run is stored as a run of its own, naming the run it re-ran.
    const stored = await stack.pool.query('SELECT rerun_of, result FROM stress_runs WHERE run_id = $1', [
      `${runId}-rerun-1`,
    ]);
    expect(stored.rows[0]).toMatchObject({ rerun_of: runId, result: { successful: result.failed, failed: 0 } });
  });
});
