import { backoffCapMs } from '../../contracts/gateway';

/** Exponential backoff with full jitter, capped: uniform in [0, cap(attempt)). */
export function backoffMs(attempt: number, rng: () => number): number {
  return rng() * backoffCapMs(attempt);
}
