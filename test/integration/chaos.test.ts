import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chaosKillSchema, standardResultSchema } from '../../src/result/schema';
import { readStackFileContent } from '../../src/stack/stack-file';
import { TEST_DATA_DIR, TEST_STACK_FILE } from '../support/paths';
import { runCommand } from '../support/spawn';
import { connectTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-chaos-'));
beforeAll(async () => {
  stack = await connectTestStack();
});
afterAll(async () => {
  await stack.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The CLI pointed at the shared stack the way a user's is at 'npm run stack': through its stack.json only. */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_ADDRESS|DATABASE_URL|SERVICE_URL_)/.test(k)),
  );
  return runCommand(process.execPath, ['--import', 'tsx', 'src/client.ts', ...args], {
    ...env,
    GEMINIVIDEO_DATA_DIR: TEST_DATA_DIR,
    ...extraEnv,
  });
}

test('--chaos against a deployment named by the environment refuses with exit 2, saying why, and starts nothing', async () => {
  const { code, stderr, stdout } = await cli(['start-workflow', 'creative-flow', '--chaos', 'random every=5s'], {
    SERVICE_URL_ML_SERVICE: 'http://127.0.0.1:9',
  });
  expect(code).toBe(2);
  expect(stderr.trim()).toBe(
    "--chaos kills processes only of a local stack this project started ('npm run stack' or the run's own), known by pid; " +
      'SERVICE_URL_ML_SERVICE names a deployment it did not start, so it refuses',
  );
  expect(stdout).toBe('');
});

test('--chaos kills the named service of the local stack during the run; each kill is in the result, the summary and the history', async () => {
  const json = path.join(tmp, 'chaos.json');
  const before = readStackFileContent(TEST_STACK_FILE)!.processes.find((p) => p.name === 'titan-core')!;
  const args = ['creative-flow', '--count', '16', '--concurrency', '2', '--time-scale', '0.05', '--faults', 'none'];
  const { code, stdout, stderr } = await stack.withWorker(() =>
    cli(['start-workflow', ...args, '--chaos', 'kill=titan-core every=2s', '--seed', '11', '--json', json]),
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const result = standardResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  // Every flow accounted for, whatever the kills cost.
  expect(result.completed_operations).toBe(16);
  expect(result.chaos).toMatchObject({ spec: 'kill=titan-core every=2s', seed: 11 });
  const kills = result.chaos!.kills;
  expect(kills.length).toBeGreaterThan(0);
  for (const k of kills) {
    expect(chaosKillSchema.parse(k)).toMatchObject({ target: 'titan-core', signal: 'SIGKILL' });
    expect(k.healthy_after_ms).toBeGreaterThan(0);
  }
  // The supervisor restarted titan-core once per kill, with a new pid each time.
  const after = readStackFileContent(TEST_STACK_FILE)!.processes.find((p) => p.name === 'titan-core')!;
  expect(after.restarts - before.restarts).toBe(kills.length);
  expect(new Set(kills.map((k) => k.pid)).size).toBe(kills.length);
  // The printed summary lists each kill.
  expect(stdout).toContain(`chaos: kill=titan-core every=2s (seed 11): ${kills.length} kill`);
  expect(stdout.match(/SIGKILL {2}titan-core/g)).toHaveLength(kills.length);
  // The run's history carries the kills as signals to its parent workflow.
  const history = await stack.client.workflow.getHandle(result.run_id).fetchHistory();
  const signals = (history.events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'chaos_kill',
  );
  expect(signals.length).toBeGreaterThan(0);
});

test('the suite takes --chaos too: each kill is recorded in the flow run that was running', async () => {
  const json = path.join(tmp, 'suite.json');
  const args = ['all', '--flows', 'creative-flow', '--count', '16', '--concurrency', '2', '--time-scale', '0.05'];
  const { code, stdout, stderr } = await stack.withWorker(() =>
    cli(['start-workflow', ...args, '--faults', 'none', '--chaos', 'kill=executor-1 every=2s', '--json', json]),
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const suite = JSON.parse(fs.readFileSync(json, 'utf8'));
  const recorded = suite.flows[0].result.chaos;
  expect(recorded).toMatchObject({ spec: 'kill=executor-1 every=2s', seed: 42 });
  expect(recorded.kills.length).toBeGreaterThan(0);
  expect(recorded.kills.every((k: { target: string }) => k.target === 'executor-1')).toBe(true);
  expect(stdout).toMatch(/chaos: kill=executor-1 every=2s \(seed 42\): \d+ kill/);
});
