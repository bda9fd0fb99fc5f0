import { XMLParser } from 'fast-xml-parser';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suiteResultSchema } from '../../src/result/suite-schema';
import { runCommand } from '../support/spawn';
import { connectTestStack, testStackEnv, type TestStack } from '../support/stack';

let stack: TestStack;
let tmp: string;
beforeAll(async () => {
  stack = await connectTestStack();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-suite-reports-'));
});
afterAll(async () => {
  await stack.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const npmRun = (script: string, args: string[]) =>
  runCommand('npm', ['run', '--silent', script, ...args], testStackEnv());

test('the suite writes JUnit with a testsuite per flow and an HTML section per flow, each flow against its own baseline', async () => {
  const flows = 'creative-flow,database-operations';
  const common = ['--', '--flows', flows, '--count', '2', '--time-scale', '0.01', '--faults', 'none'];
  const first = await stack.withWorker(() => npmRun('stress-suite', common));
  expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });

  const [json, junit, html] = ['suite.json', 'junit.xml', 'report.html'].map((f) => path.join(tmp, f));
  const second = await stack.withWorker(() =>
    npmRun('stress-suite', [
      ...common,
      '--threshold',
      'success_rate>=50',
      '--threshold',
      'p95_duration_ms<0',
      '--baseline',
      'latest',
      '--max-regression',
      'success_rate=100',
      '--json',
      json,
      '--junit',
      junit,
      '--html',
      html,
    ]),
  );
  // p95 below 0 ms cannot hold: the verdict fails, and so does the exit code.
  expect(second.code).toBe(99);
  const suite = suiteResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  const runIds = suite.flows.map((f) => f.run_id);

  const xml = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => n === 'testsuite' || n === 'testcase',
  }).parse(fs.readFileSync(junit, 'utf8'));
  const suites = xml.testsuites.testsuite as Array<{
    name: string;
    failures: string;
    testcase: Array<{ name: string; failure?: { message: string } }>;
  }>;
  expect(suites.map((s) => s.name)).toEqual(['creative-flow', 'database-operations']);
  for (const s of suites) {
    expect(s.testcase.map((c) => c.name)).toEqual([
      `${s.name} run`,
      'threshold success_rate>=50',
      'threshold p95_duration_ms<0',
      'regression success_rate=100',
    ]);
    expect(s.testcase[2].failure!.message).toMatch(/^measured \d+(\.\d+)? against the limit p95_duration_ms<0$/);
    expect(s.failures).toBe('1');
  }
  // Each flow was compared with its own run of the first suite.
  const firstSuite = /^suite id: (\S+)$/m.exec(first.stdout)![1];
  for (const [i, flow] of ['creative-flow', 'database-operations'].entries()) {
    expect(second.stdout).toContain(`baseline ${firstSuite}-${flow}  →  run ${runIds[i]}  (${flow})`);
  }
  const page = fs.readFileSync(html, 'utf8');
  expect(page).toContain('<title>stress suite (2 flows)</title>');
  for (const id of runIds) expect(page).toContain(id);
  expect(page).toContain('id="flow0-baseline"');
  expect(page).toContain('id="flow1-baseline"');
});
