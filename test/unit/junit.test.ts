import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitXml } from '../../src/report/junit';
import { thresholdOutcome } from '../../src/report/flow-report';
import { completedResult } from '../support/results';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Elements JUnit allows more than once stay arrays even when there is one.
  isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'error'].includes(name),
});

type Node = Record<string, unknown>;
const NOW = new Date('2026-12-01T12:00:05Z');

function document() {
  const ok = completedResult();
  const slow = completedResult({ flow: 'meta-api', run_id: 'meta-api-1', success_rate: 80, successful: 8, failed: 2 });
  return junitXml(
    [
      { flow: ok.flow, run_id: ok.run_id, result: ok, checks: [thresholdOutcome('success_rate>=95', 100, true)] },
      {
        flow: 'meta-api',
        run_id: slow.run_id,
        result: slow,
        checks: [
          thresholdOutcome('success_rate>=95', 80, false),
          {
            kind: 'regression',
            name: 'p95=15%',
            passed: false,
            detail: 'flow p95 1000 ms → 1500 ms: 50.0% worse (limit 15% worse)',
          },
        ],
      },
      { flow: 'ai-council', run_id: 'ai-council-1', error: 'activity timed out <&>', checks: [] },
    ],
    NOW,
    'ci-host',
  );
}

/**
 * The structure the JUnit XML schema (Ant's junit.xsd, as Jenkins and GitHub reporters read it) requires:
 * testsuites > testsuite with name, tests, failures, errors, time, timestamp (no zone), hostname, id, package,
 * then properties, testcase*, system-out, system-err; each testcase has name, classname, time; a failure or
 * error has a type and a message.
 */
function expectJunitStructure(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const root = parser.parse(xml) as { testsuites: Node & { testsuite: Node[] } };
  const suites = root.testsuites.testsuite;
  let tests = 0;
  let failures = 0;
  for (const suite of suites) {
    for (const attr of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname', 'id', 'package']) {
      expect(suite).toHaveProperty(attr);
    }
    expect(suite.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(Number(suite.time)).toBeGreaterThanOrEqual(0);
    const elements = ['properties', 'testcase', 'system-out', 'system-err'];
    expect(Object.keys(suite).filter((k) => elements.includes(k))).toEqual(elements);
    const cases = suite.testcase as Node[];
    expect(Number(suite.tests)).toBe(cases.length);
    const failed = cases.filter((c) => c.failure).length;
    const errored = cases.filter((c) => c.error).length;
    expect(Number(suite.failures)).toBe(failed);
    expect(Number(suite.errors)).toBe(errored);
    for (const c of cases) {
      for (const attr of ['name', 'classname', 'time']) expect(c).toHaveProperty(attr);
      for (const problem of [...((c.failure as Node[]) ?? []), ...((c.error as Node[]) ?? [])]) {
        expect(problem).toHaveProperty('type');
        expect(problem).toHaveProperty('message');
      }
    }
    tests += cases.length;
    failures += failed;
  }
  expect(Number(root.testsuites.tests)).toBe(tests);
  expect(Number(root.testsuites.failures)).toBe(failures);
  return suites;
}

test("the JUnit output has the schema's required structure, and its counts add up", () => {
  const suites = expectJunitStructure(document());
  expect(suites.map((s) => s.name)).toEqual(['creative-flow', 'meta-api', 'ai-council']);
});

test('one test case per flow and per threshold; a failure carries the measured value against the limit', () => {
  const [ok, slow, broken] = expectJunitStructure(document()) as Array<Node & { testcase: Node[] }>;
  expect(ok.testcase.map((c) => c.name)).toEqual(['creative-flow run', 'threshold success_rate>=95']);
  expect(ok.failures).toBe('0');
  expect(slow.testcase.map((c) => c.name)).toEqual([
    'meta-api run',
    'threshold success_rate>=95',
    'regression p95=15%',
  ]);
  const [threshold] = slow.testcase[1].failure as Node[];
  expect(threshold).toMatchObject({ type: 'threshold', message: 'measured 80 against the limit success_rate>=95' });
  expect((slow.testcase[2].failure as Node[])[0].message).toContain('50.0% worse (limit 15% worse)');
  // The run's own case carries its printed result; a run that produced none is an error with its reason.
  expect(String(slow.testcase[0]['system-out'])).toContain('meta-api  run meta-api-1');
  expect(broken.errors).toBe('1');
  expect((broken.testcase[0].error as Node[])[0]).toMatchObject({
    type: 'run_failed',
    message: 'activity timed out <&>',
  });
});

test("a suite's timestamp is when its run started: the time written minus the run's duration", () => {
  const [ok] = expectJunitStructure(document());
  expect(ok).toMatchObject({ timestamp: '2026-12-01T12:00:00', hostname: 'ci-host', time: '5.000' });
});
