import { standardNormal, type Rng } from '../../stats/random';
import type { Latency, ServiceFaults } from '../../contracts/fault-profile';

export type FaultDecision =
  { kind: 'none' } | { kind: 'error' } | { kind: 'timeout' } | { kind: 'rate_limited'; retryAfterSeconds: number };

/** One latency draw in platform milliseconds. */
export function sampleLatencyMs(latency: Latency, rng: Rng): number {
  switch (latency.distribution) {
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.min_ms + rng() * Math.max(0, latency.max_ms - latency.min_ms);
    case 'lognormal': {
      // p95 sits 1.645 standard deviations above the median in log space.
      const sigma = Math.max(0, Math.log(latency.p95_ms / latency.p50_ms) / 1.6448536);
      return Math.exp(Math.log(latency.p50_ms) + sigma * standardNormal(rng));
    }
  }
}

/** Which fault, if any, one call suffers: one draw split across the configured rates. */
export function decideFault(faults: ServiceFaults, rng: Rng): FaultDecision {
  const r = rng();
  if (r < faults.rate_limit_rate) return { kind: 'rate_limited', retryAfterSeconds: faults.retry_after_seconds };
  if (r < faults.rate_limit_rate + faults.error_rate) return { kind: 'error' };
  if (r < faults.rate_limit_rate + faults.error_rate + faults.timeout_rate) return { kind: 'timeout' };
  return { kind: 'none' };
}
