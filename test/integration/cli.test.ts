import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { standardResultSchema } from '../../src/result/schema';
import { useTestStack, testStackEnv } from '../support/stack';
import { runCommand } from '../support/spawn';

const stack = useTestStack();
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `npm run <script> <args>` exactly as a user types it, against the test stack. */
const npmRun = (script: string, args: string[]) =>
  runCommand('npm', ['run', '--silent', script, ...args], testStackEnv());

const stressRuns = async () => (await stack.client.workflow.count('WorkflowType="stressRun"')).count;

test.each([
  [['creative-flo'], /^unknown flow 'creative-flo': valid flows are creative-flow/],
  [['creative-flow', '--count', '0'], /^--count must be between 1 and/],
  [['creative-flow', '--count', 'abc'], /^--count must be a whole number/],
  [['creative-flow', '--time-scale=-1'], /^--time-scale must be a positive number/],
  [['creative-flow', '--faults', 'bogus'], /^unknown fault profile 'bogus': valid are none, default, chaos, or a path/],
  [
    ['creative-flow', '--faults', '/nonexistent/profile.json'],
    /^cannot read fault profile \/nonexistent\/profile.json/,
  ],
  [
    ['creative-flow', '--threshold', 'speed>1'],
    /^bad threshold 'speed>1': unknown metric 'speed'; valid are success_rate/,
  ],
  [['--', 'creative-flow', '--count', '-3'], /^--count must be (a whole number|between)/],
])('start-workflow %j exits 2 with one clear line and starts nothing', async (args, message) => {
  const before = await stressRuns();
  const { code, stderr } = await npmRun('start-workflow', args);
  expect(code).toBe(2);
  const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(await stressRuns()).toBe(before);
});

test('a bad fault profile file is named with its bad field', async () => {
  const file = path.join(tmp, 'bad-profile.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'x', defaults: { error_rate: 2 } }));
  const { code, stderr } = await npmRun('start-workflow', ['creative-flow', '--faults', file]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/bad fault profile .*bad-profile.json: defaults\./);
});

test('npm run start-workflow creative-flow --count N, as typed, runs N flows and writes the standard result', async () => {
  const json = path.join(tmp, 'result.json');
  const args = ['creative-flow', '--count', '6', '--concurrency', '3', '--time-scale', '0.01', '--faults', 'none'];
  const { code, stdout, stderr } = await stack.withWorker(() =>
    npmRun('start-workflow', [...args, '--json', json, '--threshold', 'success_rate>=95']),
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const result = standardResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  expect(result).toMatchObject({ total_operations: 6, concurrent: 3, completed_operations: 6, failed: 0 });
  expect(result.params).toMatchObject({ faults: 'none', time_scale: 0.01 });
  expect(stdout).toMatch(
    /step\s+runs\s+success\s+avg\s+p95\s+p99\s+svc p50\s+svc p95\s+ovh p50\s+ovh p95\s+attempts\s+retries/,
  );
  expect(stdout).toContain(`run id: ${result.run_id}`);
  expect(stdout).toContain(`Web UI: ${stack.endpoints.temporalUiUrl}/namespaces/default/workflows/${result.run_id}`);
  expect(stdout).toMatch(/PASS {2}success_rate>=95/);
  // Under the step table, each step's slowest flows as Web UI links.
  const [step, lists] = Object.entries(result.exemplars!.steps)[0];
  const link = `${stack.endpoints.temporalUiUrl}/namespaces/default/workflows/${lists.slowest[0].workflow_id}`;
  expect(stdout).toContain(`  ${step}: slowest ${link} (`);

  // report prints and writes the same result from the run's workflow.
  const reported = path.join(tmp, 'reported.json');
  const report = await npmRun('report', [result.run_id, '--json', reported]);
  expect(report.code).toBe(0);
  expect(JSON.parse(fs.readFileSync(reported, 'utf8'))).toEqual(result);
  expect(report.stdout).toContain(`creative-flow  run ${result.run_id}  (completed)`);
});

test('a threshold that fails exits 99, and the = form of flags works', async () => {
  const { code, stdout } = await stack.withWorker(() =>
    npmRun('start-workflow', [
      'creative-flow',
      '--count=2',
      '--time-scale=0.01',
      '--faults=none',
      '--threshold=p50_duration_ms<0',
    ]),
  );
  expect(code).toBe(99);
  expect(stdout).toMatch(/FAIL {2}p50_duration_ms<0/);
});

test('report of an unknown run exits 2 naming it', async () => {
  const { code, stderr } = await npmRun('report', ['no-such-run']);
  expect(code).toBe(2);
  expect(stderr).toContain("no run 'no-such-run'");
});
