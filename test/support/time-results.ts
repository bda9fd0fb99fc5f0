import type { StandardResult } from '../../src/result/schema';
import { completedResult, step } from './results';

const lateness = { p50: 3, p95: 40, p99: 90, max: 120 };

/** A 2-minute interval series: 5 s points, a rise and fall in starts, one bad stretch, response p95 above duration's. */
function series(points: number, dropAt = 12) {
  return {
    interval_seconds: 5,
    points: Array.from({ length: points }, (_, i) => {
      const started = Math.round(10 + 8 * Math.sin(i / 4)) + 2;
      const failed = i >= 10 && i < 14 ? 3 : 0;
      return {
        t_seconds: i * 5,
        started,
        completed: started - 1,
        failed,
        dropped: i === dropAt ? 2 : 0,
        scheduled: started + (i === dropAt ? 2 : 0),
        achieved_rate: started / 5,
        p95_duration_ms: 900 + i * 25 + failed * 200,
        in_flight: 4 + (i % 5),
        p95_response_ms: 950 + i * 30 + failed * 400,
      };
    }),
  };
}

const steps = {
  video_upload: step({
    service_avg_ms: 55,
    service_p50_ms: 60,
    service_p95_ms: 120,
    service_p99_ms: 140,
    overhead_avg_ms: 28,
    overhead_p50_ms: 30,
    overhead_p95_ms: 55,
    wait_avg_ms: 0,
    backoff_avg_ms: 12.5,
    unreported_attempts: 0,
  }),
  scene_extraction: step({
    p95_duration_ms: 1480.25,
    service_avg_ms: 700,
    service_p50_ms: 650,
    service_p95_ms: 1400,
    service_p99_ms: 1900,
    overhead_avg_ms: 31,
    overhead_p50_ms: 29,
    overhead_p95_ms: 61.5,
    wait_avg_ms: 0,
    backoff_avg_ms: 0,
    unreported_attempts: 1,
  }),
  council_evaluation: step({
    failures: 3,
    success_rate: 97.5,
    service_avg_ms: 300,
    service_p50_ms: 280,
    service_p95_ms: 610,
    service_p99_ms: 900,
    overhead_avg_ms: 25,
    overhead_p50_ms: 24,
    overhead_p95_ms: 48,
    wait_avg_ms: 1500,
    backoff_avg_ms: 250,
    unreported_attempts: 0,
  }),
};

/** An open-model run with stages, a series, chaos kills and a network fault, live controls and exemplars. */
export function openRunResult(): StandardResult {
  const id = 'creative-flow-20261206-030000-open';
  return completedResult({
    run_id: id,
    total_operations: 240,
    completed_operations: 240,
    successful: 228,
    failed: 12,
    success_rate: 95,
    total_duration_seconds: 120,
    response_p50_ms: 1000,
    response_p95_ms: 2100,
    response_p99_ms: 2600,
    step_analysis: steps,
    failure_points: { council_evaluation: 12 },
    load: {
      model: 'open',
      offered_rate: 2,
      achieved_rate: 1.98,
      scheduled: 242,
      started: 240,
      dropped: 2,
      lateness_ms: lateness,
      peak_in_flight: 9,
      max_in_flight: 20,
      duration_seconds: 120,
      start_rate: 0,
      stages: [
        { duration_seconds: 30, target_rate: 3 },
        { duration_seconds: 60, target_rate: 3 },
        { duration_seconds: 30, target_rate: 0 },
      ],
    },
    series: series(24),
    chaos: {
      spec: 'kill=worker every 40s',
      seed: 7,
      kills: [
        {
          id: 1,
          at: '2026-12-06T03:00:40Z',
          offset_seconds: 40,
          target: 'worker-2',
          signal: 'SIGKILL',
          pid: 4242,
          healthy_after_ms: 2100,
        },
        {
          id: 2,
          at: '2026-12-06T03:01:20Z',
          offset_seconds: 80,
          target: 'temporal-history',
          signal: 'SIGKILL',
          pid: 4343,
          healthy_after_ms: null,
        },
      ],
      faults: [
        {
          id: 1,
          kind: 'partition',
          a: 'worker-1',
          b: 'temporal-frontend',
          at: '2026-12-06T03:00:50Z',
          offset_seconds: 50,
          end_offset_seconds: 70,
          healed_after_ms: 900,
        },
      ],
    },
    controls: [
      { at: '2026-12-06T03:00:20Z', offset_seconds: 20, action: 'pause' },
      { at: '2026-12-06T03:00:25Z', offset_seconds: 25, action: 'resume' },
      { at: '2026-12-06T03:01:00Z', offset_seconds: 60, action: 'set', rate: 4, max_in_flight: 30 },
    ],
    exemplars: {
      k: 3,
      flow: {
        slowest: [
          { workflow_id: `${id}-flow-00017`, duration_ms: 4210 },
          { workflow_id: `${id}-flow-00102`, duration_ms: 3980 },
        ],
        failed: [{ workflow_id: `${id}-flow-00057`, error: 'council answered 503', step: 'council_evaluation' }],
      },
      steps: {
        scene_extraction: { slowest: [{ workflow_id: `${id}-flow-00017`, duration_ms: 2950 }], failed: [] },
        council_evaluation: {
          slowest: [{ workflow_id: `${id}-flow-00088`, duration_ms: 1200 }],
          failed: [{ workflow_id: `${id}-flow-00057`, error: 'council answered 503' }],
        },
      },
    },
  });
}

/** A breakpoint search that held at 1 and 1.5/s and failed at 2.25/s. */
export function breakpointResult(): StandardResult {
  const stepAt = (rate: number, passed: boolean, tester_limited = false) => {
    const n = Math.round(rate * 30);
    return {
      rate,
      scheduled: n,
      started: n,
      dropped: 0,
      successful: passed ? n : n - Math.round(n / 3),
      failed: passed ? 0 : Math.round(n / 3),
      success_rate: passed ? 100 : 66.7,
      p95_duration_ms: passed ? 900 : 4100,
      achieved_rate: tester_limited ? rate * 0.7 : rate * 0.99,
      lateness_ms: lateness,
      checks: [{ threshold: 'success_rate>=99', actual: passed ? 100 : 66.7, passed }],
      passed,
      tester_limited,
    };
  };
  return completedResult({
    flow: 'budget-optimization',
    run_id: 'budget-optimization-20261206-031000-bkpt',
    total_operations: 140,
    completed_operations: 140,
    successful: 120,
    failed: 20,
    success_rate: 85.7,
    total_duration_seconds: 110,
    failure_points: { reallocate: 20 },
    load: {
      model: 'breakpoint',
      offered_rate: 1.5,
      achieved_rate: 1.48,
      scheduled: 140,
      started: 140,
      dropped: 0,
      lateness_ms: lateness,
      peak_in_flight: 12,
      max_in_flight: 50,
      breakpoint: {
        verdict: 'found',
        highest_passing_rate: 1.5,
        first_failing_rate: 2.25,
        step_factor: 1.5,
        hold_seconds: 30,
        steps: [stepAt(1, true), stepAt(1.5, true), stepAt(2.25, false)],
      },
    },
    series: series(22, -1),
  });
}
