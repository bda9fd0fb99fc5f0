/**
 * The suite's thresholds, on a local dev server with STUB activities: two small stress runs as children of
 * stressSuite, one of whose flows fail for good, judged per flow against the thresholds that apply to it.
 */
import { parseThreshold } from '../../src/result/thresholds';
import type { SuiteResult } from '../../src/result/suite-schema';
import type { StressSuiteInput } from '../../src/workflows/stress-suite';
import { SIM, useWorkflowEnv } from './support/env';
import { stubActivities } from './support/stubs';

const env = useWorkflowEnv();

test('a failing threshold is reported for the flow that misses it, and fails the verdict', async () => {
  const suiteId = `wf-suite-${Date.now()}`;
  const run = (flow: 'pattern-prediction' | 'database-operations') => ({
    flow,
    runId: `${suiteId}-${flow}`,
    count: 3,
    concurrency: 2,
    seed: 7,
    faultsName: 'none',
    sim: SIM,
  });
  const input: StressSuiteInput = {
    runs: [run('pattern-prediction'), run('database-operations')],
    // The step threshold applies to pattern-prediction only: database-operations has no such step.
    thresholds: ['success_rate>=90', 'pattern_question.retries<=0'].map(parseThreshold),
  };
  // Every database-operations flow fails at its first step, as bad input.
  const stubs = stubActivities({ db_crud: { fail: 'always', nonRetryable: true } });
  const suite = await env.execute<SuiteResult>(stubs, 'stressSuite', [input], suiteId);

  expect(suite).toMatchObject({ suite_id: suiteId, status: 'completed', verdict: 'failed' });
  expect(suite.thresholds).toEqual(['success_rate>=90', 'pattern_question.retries<=0']);
  const [patterns, database] = suite.flows;
  expect(patterns).toMatchObject({ flow: 'pattern-prediction', status: 'completed', passed: true });
  expect(patterns.checks).toEqual([
    { threshold: 'success_rate>=90', actual: 100, passed: true },
    { threshold: 'pattern_question.retries<=0', actual: 0, passed: true },
  ]);
  expect(database).toMatchObject({ flow: 'database-operations', status: 'completed', passed: false });
  expect(database.result).toMatchObject({ total_operations: 3, failed: 3 });
  expect(database.checks).toEqual([{ threshold: 'success_rate>=90', actual: 0, passed: false }]);
});
