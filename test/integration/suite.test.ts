import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FLOW_NAMES } from '../../src/flows/catalog';
import { standardResultSchema } from '../../src/result/schema';
import { suiteResultSchema } from '../../src/result/suite-schema';
import { useTestStack, testStackEnv } from '../support/stack';
import { runCommand } from '../support/spawn';

const stack = useTestStack();
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-suite-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const npmRun = (script: string, args: string[]) =>
  runCommand('npm', ['run', '--silent', script, ...args], testStackEnv());

test('start-workflow all runs every flow as its own stress run inside one suite workflow, and prints one table', async () => {
  const json = path.join(tmp, 'suite.json');
  const args = ['all', '--count', '2', '--count', 'budget-optimization=5'];
  const { code, stdout, stderr } = await stack.withWorker(() =>
    npmRun('start-workflow', [
      ...args,
      '--concurrency',
      '2',
      '--time-scale',
      '0.01',
      '--faults',
      'none',
      '--json',
      json,
    ]),
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const suite = suiteResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  expect(suite).toMatchObject({ status: 'completed', verdict: 'passed', thresholds: ['success_rate>=90'] });
  expect(suite.flows.map((f) => [f.flow, f.status, f.result?.total_operations, f.result?.failed])).toEqual(
    FLOW_NAMES.map((flow) => [flow, 'completed', flow === 'budget-optimization' ? 5 : 2, 0]),
  );

  // One table: a row per flow with its figures, and the verdict.
  expect(stdout).toMatch(/flow\s+flows\s+success\s+avg\s+p95\s+p99\s+flows\/s\s+verdict/);
  for (const f of suite.flows) {
    const r = f.result!;
    expect(stdout).toMatch(
      new RegExp(`${f.flow}\\s+${r.total_operations}/${r.total_operations}\\s+${r.success_rate.toFixed(1)}%.*pass`),
    );
  }
  expect(stdout).toContain('verdict: PASSED (12 of 12 flows pass)');

  // Each flow is an ordinary run: a child of the suite, with the same result, stored.
  for (const f of suite.flows) {
    expect(f.run_id).toBe(`${suite.suite_id}-${f.flow}`);
    const handle = stack.client.workflow.getHandle(f.run_id);
    expect((await handle.describe()).parentExecution?.workflowId).toBe(suite.suite_id);
    expect(standardResultSchema.parse(await handle.result())).toEqual(f.result);
    const stored = await stack.pool.query('SELECT result FROM stress_runs WHERE run_id = $1', [f.run_id]);
    expect(stored.rows[0].result).toEqual(f.result);
  }

  // report <suite-id> prints the same table from the suite workflow.
  const reported = path.join(tmp, 'reported.json');
  const report = await npmRun('report', [suite.suite_id, '--json', reported]);
  expect(report.code).toBe(0);
  expect(JSON.parse(fs.readFileSync(reported, 'utf8'))).toEqual(suite);
  expect(report.stdout).toContain('verdict: PASSED (12 of 12 flows pass)');
}, 600_000);

test('npm run stress-suite with a threshold a flow misses exits 99 and names the flow and the threshold', async () => {
  const json = path.join(tmp, 'failing.json');
  const { code, stdout } = await stack.withWorker(() =>
    npmRun('stress-suite', [
      '--flows',
      'creative-flow',
      '--count',
      '2',
      '--time-scale',
      '0.01',
      '--faults',
      'none',
      '--threshold',
      'success_rate>=90',
      '--threshold',
      'p99_duration_ms<1',
      '--json',
      json,
    ]),
  );
  expect(code).toBe(99);
  const suite = suiteResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  expect(suite.verdict).toBe('failed');
  expect(suite.flows[0].checks).toEqual([
    { threshold: 'success_rate>=90', actual: 100, passed: true },
    { threshold: 'p99_duration_ms<1', actual: suite.flows[0].result!.p99_duration_ms, passed: false },
  ]);
  expect(stdout).toContain('verdict: FAILED (0 of 1 flows pass)');
  expect(stdout).toMatch(/creative-flow: p99_duration_ms<1 \(actual \d+/);
});

test.each([
  [['all', '--flows', 'creative-flow,nope'], /^--flows creative-flow,nope: unknown flow 'nope'/],
  [['all', '--count', 'nope=2'], /^--count nope=2: unknown flow 'nope'/],
  [['creative-flow', '--count', 'creative-flow=2'], /^--count creative-flow=2: FLOW=VALUE is for the suite/],
  [['creative-flow', '--flows', 'creative-flow'], /^--flows is for the suite/],
])('start-workflow %j exits 2 with one clear line and starts no suite', async (args, message) => {
  const before = (await stack.client.workflow.count('WorkflowType="stressSuite"')).count;
  const { code, stderr } = await npmRun('start-workflow', args);
  expect(code).toBe(2);
  const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  expect(lines).toEqual([expect.stringMatching(message)]);
  expect((await stack.client.workflow.count('WorkflowType="stressSuite"')).count).toBe(before);
});
