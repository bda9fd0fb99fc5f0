import { formatDryRun, splitPlans } from '../../src/cli/rerun-format';
import type { FlowOutcome, StepRecord } from '../../src/flows/types';
import { rerunIdOf, rerunOriginOf, rerunPart, rerunResult } from '../../src/rerun/summary';
import type { StandardResult } from '../../src/result/schema';

const step = (name: string, started: number, duration: number, status: StepRecord['status'] = 'completed') => ({
  step: name,
  status,
  started_at: started,
  duration_ms: duration,
  attempts: 1,
  service_ms: duration / 2,
  attempt_service_ms: [duration / 2],
  wait_ms: 0,
  backoff_ms: 0,
  unreported_attempts: 0,
  overhead_ms: duration / 2,
});

// The first run's video_upload and scene_extraction are replayed; ctr_prediction on ran again, from t=5000.
const rerun: FlowOutcome = {
  outcome: 'completed',
  duration_ms: 5600,
  steps: [
    step('video_upload', 0, 100),
    step('scene_extraction', 100, 100),
    step('ctr_prediction', 5000, 200),
    step('council_evaluation', 5200, 300),
  ],
  refs: {},
};
const again: FlowOutcome = {
  ...rerun,
  outcome: 'failed',
  failed_step: 'ctr_prediction',
  steps: [step('video_upload', 0, 100), step('ctr_prediction', 6000, 400, 'failed')],
};

test("a re-run flow counts from its reset step: the replayed steps and the time before it are not the re-run's", () => {
  const part = rerunPart(rerun, 'ctr_prediction');
  expect(part.steps.map((s) => s.step)).toEqual(['ctr_prediction', 'council_evaluation']);
  expect(part.duration_ms).toBe(500);
});

test('the re-run result counts the re-run flows under its own id, with the original parameters', () => {
  const original = {
    flow: 'creative-flow',
    params: { count: 50, concurrency: 10, seed: 7, faults: 'default', time_scale: 0.01 },
  } as StandardResult;
  const result = rerunResult(
    original,
    'r-rerun-1',
    [
      { workflowId: 'r-00000', outcome: rerun, fromStep: 'ctr_prediction' },
      { workflowId: 'r-00001', outcome: again, fromStep: 'ctr_prediction' },
    ],
    2000,
  );
  expect(result).toMatchObject({
    run_id: 'r-rerun-1',
    flow: 'creative-flow',
    total_operations: 2,
    successful: 1,
    failed: 1,
    failure_points: { ctr_prediction: 1 },
    params: { count: 2, concurrency: 2, seed: 7, faults: 'default', time_scale: 0.01 },
  });
  expect(Object.keys(result.step_analysis)).toEqual(['ctr_prediction', 'council_evaluation']);
  expect(result.step_analysis.ctr_prediction).toMatchObject({ executions: 2, failures: 1 });
  // The flow that failed again is named, so the re-run's result leads to it as any run's does.
  expect(result.exemplars?.flow.failed.map((f) => f.workflow_id)).toEqual(['r-00001']);
});

test('re-run ids number the re-runs of a run and name it back', () => {
  expect(rerunIdOf('creative-flow-x', 0)).toBe('creative-flow-x-rerun-1');
  expect(rerunIdOf('creative-flow-x', 2)).toBe('creative-flow-x-rerun-3');
  expect(rerunOriginOf('creative-flow-x-rerun-3')).toBe('creative-flow-x');
  expect(rerunOriginOf('creative-flow-x')).toBeUndefined();
});

test('--dry-run lists each reset, and names what it cannot re-run', () => {
  const plan = splitPlans(
    [
      {
        workflowId: 'r-00003',
        runId: 'a',
        verdict: { kind: 'reset', step: 'ctr_prediction', eventId: 16, error: 'down' },
      },
      { workflowId: 'r-00004', runId: 'b', verdict: { kind: 'not_rerunnable', reason: 'still running' } },
      { workflowId: 'r-00005', runId: 'c', verdict: { kind: 'not_failed' } },
    ],
    2,
  );
  const text = formatDryRun('r', plan);
  expect(text).toMatch(/^would reset 1 failed flow of r/);
  expect(text).toMatch(/r-00003\s+ctr_prediction\s+16\s+down/);
  expect(text).toContain('not re-runnable: 2 dropped starts (never started)');
  expect(text).toContain('not re-runnable: r-00004 (still running)');
  expect(text).toContain('already completed by an earlier re-run: 1 (r-00005)');
});
