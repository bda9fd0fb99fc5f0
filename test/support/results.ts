import { standardResultSchema, type StandardResult, type StepAnalysis } from '../../src/result/schema';

/** A step's analysis with the given figures (the rest plausible). */
export function step(overrides: Partial<StepAnalysis> = {}): StepAnalysis {
  return {
    success_rate: 100,
    avg_duration_ms: 100,
    p50_duration_ms: 90,
    p95_duration_ms: 180,
    p99_duration_ms: 250,
    attempts: 10,
    retries: 0,
    failures: 0,
    executions: 10,
    ...overrides,
  };
}

/** A completed run's standard result, validated by the real schema, with the given figures. */
export function completedResult(overrides: Partial<StandardResult> = {}): StandardResult {
  return standardResultSchema.parse({
    flow: 'creative-flow',
    run_id: 'creative-flow-20261201-120000-aaaa',
    status: 'completed',
    total_operations: 10,
    completed_operations: 10,
    concurrent: 5,
    successful: 10,
    failed: 0,
    rejected: 0,
    success_rate: 100,
    total_duration_seconds: 5,
    operations_per_second: 2,
    avg_duration_ms: 1000,
    p50_duration_ms: 900,
    p95_duration_ms: 1500,
    p99_duration_ms: 1800,
    step_analysis: { video_upload: step(), video_rendering: step({ p95_duration_ms: 800 }) },
    failure_points: {},
    params: { count: 10, concurrency: 5, seed: 42, faults: 'none', time_scale: 0.05 },
    ...overrides,
  });
}
