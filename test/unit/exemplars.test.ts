import type { FlowOutcome } from '../../src/flows/types';
import { junitXml } from '../../src/report/junit';
import { thresholdOutcome } from '../../src/report/flow-report';
import { formatResult } from '../../src/report/result-text';
import { standardResultSchema } from '../../src/result/schema';
import { addOutcome, emptyRun, toResult, type RunAccumulator } from '../../src/stats/aggregate';
import { addExemplars, emptyExemplars, keepFailed, keepSlowest, type Exemplar } from '../../src/stats/exemplars';

const flow = (duration: number, failedStep?: string): FlowOutcome => ({
  outcome: failedStep ? 'failed' : 'completed',
  duration_ms: duration,
  steps: [
    {
      step: 'render',
      status: failedStep ? 'failed' : 'completed',
      started_at: 0,
      duration_ms: duration - 1,
      attempts: 1,
      service_ms: 0,
      attempt_service_ms: [],
      wait_ms: 0,
      backoff_ms: 0,
      unreported_attempts: 0,
      overhead_ms: 0,
      ...(failedStep ? { error: `render broke at ${duration}` } : {}),
    },
  ],
  ...(failedStep ? { failed_step: failedStep, error: `render broke at ${duration}` } : {}),
  refs: {},
});

const meta = {
  flow: 'creative-flow',
  runId: 'r1',
  status: 'completed' as const,
  totalOperations: 50,
  concurrency: 2,
  elapsedMs: 1000,
  stepOrder: ['render'],
  params: { count: 50, concurrency: 2, seed: 1, faults: 'none', time_scale: 1 },
};

test('the slowest list stays k long, slowest first, the earlier of equal durations first', () => {
  const list: Exemplar[] = [];
  for (const [id, d] of [
    ['a', 5],
    ['b', 9],
    ['c', 1],
    ['d', 9],
    ['e', 7],
    ['f', 2],
  ] as const) {
    keepSlowest(list, 3, { workflow_id: id, duration_ms: d });
    expect(list.length).toBeLessThanOrEqual(3);
  }
  expect(list.map((e) => e.workflow_id)).toEqual(['b', 'd', 'e']);
});

test('the failed list keeps the first k failures, each error cut short', () => {
  const list: Parameters<typeof keepFailed>[0] = [];
  for (let i = 0; i < 10; i++) keepFailed(list, 3, { workflow_id: `w${i}`, error: 'x'.repeat(1000) });
  expect(list.map((e) => e.workflow_id)).toEqual(['w0', 'w1', 'w2']);
  expect(list[0].error.length).toBeLessThanOrEqual(300);
});

test('exemplars carried as JSON across continue-as-new end as if one run had seen every flow', () => {
  const durations = Array.from({ length: 50 }, (_, i) => (i * 37) % 101);
  const fail = (i: number) => (i % 7 === 3 ? 'render' : undefined);
  const whole = emptyRun();
  durations.forEach((d, i) => addOutcome(whole, flow(d + 2, fail(i)), { workflowId: `r1-${i}` }));
  let carried: RunAccumulator = emptyRun();
  durations.forEach((d, i) => {
    // Continue-as-new every 8 flows: the accumulator crosses as plain JSON.
    if (i % 8 === 0) carried = JSON.parse(JSON.stringify(carried)) as RunAccumulator;
    addOutcome(carried, flow(d + 2, fail(i)), { workflowId: `r1-${i}` });
  });
  expect(carried.exemplars).toEqual(whole.exemplars);
  const result = standardResultSchema.parse({ ...toResult(carried, meta) });
  // The expected slowest come from sorting the durations, earlier flow first on a tie.
  const expected = durations
    .map((d, i) => ({ i, d }))
    .sort((a, b) => b.d - a.d || a.i - b.i)
    .slice(0, 3)
    .map((x) => `r1-${x.i}`);
  expect(result.exemplars!.flow.slowest.map((e) => e.workflow_id)).toEqual(expected);
  expect(result.exemplars!.steps.render.slowest.map((e) => e.workflow_id)).toEqual(expected);
  expect(result.exemplars!.flow.failed.map((e) => [e.workflow_id, e.step])).toEqual([
    ['r1-3', 'render'],
    ['r1-10', 'render'],
    ['r1-17', 'render'],
  ]);
  expect(JSON.stringify(carried.exemplars).length).toBeLessThan(2000);
});

test('a result without workflow ids has no exemplars; k comes from the state', () => {
  const acc = emptyRun();
  addOutcome(acc, flow(10));
  expect(toResult(acc, meta).exemplars).toBeUndefined();
  const state = emptyExemplars(1);
  addExemplars(state, 'w1', flow(10));
  addExemplars(state, 'w2', flow(20));
  expect(state.flow.slowest).toEqual([{ workflow_id: 'w2', duration_ms: 20 }]);
});

function resultWithFailures() {
  const acc = emptyRun();
  [30, 80, 20, 50].forEach((d, i) =>
    addOutcome(acc, flow(d, i === 2 ? 'render' : undefined), { workflowId: `r1-${i}` }),
  );
  return standardResultSchema.parse(toResult(acc, { ...meta, totalOperations: 4 }));
}

test('the printed result names the slowest and failed flows under the step table, as Web UI links', () => {
  const text = formatResult(resultWithFailures(), (id) => `http://ui/namespaces/default/workflows/${id}`);
  const lines = text.split('\n');
  const render = lines.find((l) => l.startsWith('  render:'))!;
  expect(render).toContain('slowest http://ui/namespaces/default/workflows/r1-1 (79 ms)');
  expect(render).toContain('failed http://ui/namespaces/default/workflows/r1-2 (render broke at 20)');
  expect(lines.find((l) => l.startsWith('  flow:'))).toContain(
    'failed http://ui/namespaces/default/workflows/r1-2 (render: ',
  );
  // Under the step table: after the step's row.
  expect(lines.indexOf(render)).toBeGreaterThan(lines.findIndex((l) => /^render\s+4/.test(l)));
});

test('a failing check in JUnit names the failed flows', () => {
  const r = resultWithFailures();
  const xml = junitXml([
    { flow: r.flow, run_id: r.run_id, result: r, checks: [thresholdOutcome('success_rate>=95', 75, false)] },
  ]);
  expect(xml).toContain(
    'message="measured 75 against the limit success_rate&gt;=95; failed flows: r1-2 (render: render broke at 20)"',
  );
});
