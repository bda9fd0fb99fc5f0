/** The Gateway's retry schedule: read by the Gateway and by the flow step that checks it. */
export const GATEWAY_RETRY = {
  /** Retries after the first attempt, for calls that are safe to repeat. */
  retries: 3,
  baseMs: 50,
  capMs: 2_000,
} as const;

/** The upper bound of the delay before retry `attempt` (0-based): exponential, capped. */
export function backoffCapMs(attempt: number): number {
  return Math.min(GATEWAY_RETRY.capMs, GATEWAY_RETRY.baseMs * 2 ** attempt);
}

/** Exponential backoff with full jitter, capped: uniform in [0, cap(attempt)). */
export function backoffMs(attempt: number, rng: () => number): number {
  return rng() * backoffCapMs(attempt);
}
