import { XMLParser } from 'fast-xml-parser';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { runCommand } from '../support/spawn';
import { connectTestStack, testStackEnv, type TestStack } from '../support/stack';

let stack: TestStack;
let tmp: string;
beforeAll(async () => {
  stack = await connectTestStack();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-compare-'));
});
afterAll(async () => {
  await stack.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const npmRun = (script: string, args: string[]) =>
  runCommand('npm', ['run', '--silent', script, ...args], testStackEnv());

/** Every service answers after a fixed 300 ms (30 s of platform time at time scale 0.01). */
function slowProfile(): string {
  const file = path.join(tmp, 'slow.json');
  const defaults = {
    latency: { distribution: 'fixed', ms: 30_000 },
    error_rate: 0,
    timeout_rate: 0,
    rate_limit_rate: 0,
    retry_after_seconds: 1,
  };
  fs.writeFileSync(file, JSON.stringify({ name: 'slow', defaults }));
  return file;
}

async function run(
  faults: string,
  extra: string[] = [],
): Promise<{ result: StandardResult; stdout: string; code: number | null; stderr: string }> {
  const json = path.join(tmp, `run-${Date.now()}.json`);
  const args = ['creative-flow', '--count', '3', '--concurrency', '3', '--time-scale', '0.01', '--faults', faults];
  const out = await stack.withWorker(() => npmRun('start-workflow', [...args, '--json', json, ...extra]));
  return { ...out, result: standardResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8'))) };
}

test('compare, history and --baseline read stress_runs; a regression past its limit exits 99', async () => {
  const fast = await run('none');
  expect(fast.code).toBe(0);
  const junit = path.join(tmp, 'slow.xml');
  const slow = await run(slowProfile(), [
    '--baseline',
    'latest',
    '--max-regression',
    'p95=50%',
    '--max-regression',
    'success_rate=1',
    '--threshold',
    'success_rate>=90',
    '--junit',
    junit,
  ]);
  // The slow run is compared with the fast one before it (integration tests run in band, so no other run of the
  // flow comes between), and its p95 grew far past 50%.
  expect({ code: slow.code, stdout: slow.stdout, stderr: slow.stderr }).toMatchObject({ code: 99 });
  expect(slow.stdout).toContain(`baseline ${fast.result.run_id}  →  run ${slow.result.run_id}`);
  expect(slow.stdout).toMatch(/FAIL {2}max-regression p95=50%: flow p95 \d+ ms → \d+ ms: [\d.]+% worse/);
  expect(slow.stdout).toMatch(/PASS {2}max-regression success_rate=1/);
  expect(slow.stderr).toMatch(/^warning: faults differs: "none" in the baseline, "\S+slow\.json" in the run$/m);
  expect(slow.result.p95_duration_ms).toBeGreaterThan(fast.result.p95_duration_ms * 1.5);

  // Its JUnit file: the run, the threshold and both limits as test cases; the failed limit carries its figures.
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(fs.readFileSync(junit, 'utf8'));
  const cases = xml.testsuites.testsuite.testcase as Array<{ name: string; failure?: { message: string } }>;
  expect(cases.map((c) => c.name)).toEqual([
    'creative-flow run',
    'threshold success_rate>=90',
    'regression p95=50%',
    'regression success_rate=1',
  ]);
  expect(cases[2].failure!.message).toMatch(/^flow p95 \d+ ms → \d+ ms: [\d.]+% worse \(limit 50% worse\)$/);
  expect(cases.filter((c) => c.failure)).toHaveLength(1);

  // The same comparison by hand: slower than the baseline fails the limit; the other way round it holds.
  const worse = await npmRun('compare', [fast.result.run_id, slow.result.run_id, '--max-regression', 'p95=50%']);
  expect(worse.code).toBe(99);
  expect(worse.stdout).toMatch(/^flow\s+success_rate\s+100\.0%\s+100\.0%\s+\+0\.0%$/m);
  for (const step of Object.keys(fast.result.step_analysis))
    expect(worse.stdout).toMatch(new RegExp(`^${step}\\s+success_rate`, 'm'));
  const better = await npmRun('compare', [slow.result.run_id, 'latest:creative-flow', '--max-regression=p95=50%']);
  expect({ code: better.code, stderr: better.stderr }).toMatchObject({ code: 0 });
  expect(better.stdout).toContain(`baseline ${slow.result.run_id}  →  run ${slow.result.run_id}`);

  const history = await npmRun('history', ['creative-flow', '--limit', '2']);
  expect(history.code).toBe(0);
  const lines = history.stdout.split('\n');
  const at = (id: string) => lines.findIndex((l) => l.includes(id));
  expect(at(fast.result.run_id)).toBeGreaterThan(0);
  expect(at(slow.result.run_id)).toBeGreaterThan(at(fast.result.run_id));
  expect(lines[at(slow.result.run_id)]).toMatch(/3×3\s+\S+slow\.json\s+0\.01\s+100\.0%/);
});

test.each([
  [['compare', 'no-such-run', 'latest:creative-flow'], /^no run 'no-such-run' in stress_runs/],
  [['compare', 'latest:creative-flo', 'x'], /^'latest:creative-flo': unknown flow 'creative-flo'; valid flows are/],
  [['compare', 'a', 'b', '--max-regression', 'p95>15%'], /^bad --max-regression 'p95>15%': write \[STEP\.\]METRIC/],
  [['history', 'creative-flo'], /^unknown flow 'creative-flo': valid flows are/],
  [['start-workflow', 'creative-flow', '--max-regression', 'p95=15%'], /^--max-regression needs --baseline/],
])('%j exits 2 with one line', async ([script, ...args], message) => {
  const { code, stderr } = await npmRun(script, args);
  expect(code).toBe(2);
  const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
});
