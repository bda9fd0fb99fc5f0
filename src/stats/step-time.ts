import type { AttemptTime, StepTimeSplit } from '../flows/types';

export interface StepTimeInput {
  /** The step's time end to end, by the workflow's clock. */
  durationMs: number;
  /** Every attempt that reported its time. */
  times: AttemptTime[];
  /** Attempts that never reported back (timed out, worker died). */
  unreported: number;
  /** What an unreported attempt is charged: its start-to-close timeout. */
  timeoutMs: number;
  /** The step's own durable waits. */
  waitMs: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Splits a step's time into the platform's (service), the step's own waits, retry backoff and what is left:
 * orchestration overhead. An attempt that never reported is charged its timeout, but never more than the time
 * nothing else explains, so the parts never add up to more than the step took. Pure.
 */
export function splitStepTime(input: StepTimeInput): StepTimeSplit {
  const reported = input.times.reduce((n, t) => n + t.service_ms, 0);
  const backoff = input.times.reduce((n, t) => n + t.backoff_ms, 0);
  const attemptMs = input.times.map((t) => round3(t.service_ms));
  let unexplained = Math.max(0, input.durationMs - reported - input.waitMs - backoff);
  for (let i = 0; i < input.unreported; i++) {
    const charged = Math.min(input.timeoutMs, unexplained);
    attemptMs.push(round3(charged));
    unexplained -= charged;
  }
  const service = attemptMs.reduce((n, t) => n + t, 0);
  return {
    service_ms: round3(service),
    attempt_service_ms: attemptMs,
    wait_ms: round3(input.waitMs),
    backoff_ms: round3(backoff),
    unreported_attempts: input.unreported,
    overhead_ms: round3(Math.max(0, input.durationMs - service - input.waitMs - backoff)),
  };
}
