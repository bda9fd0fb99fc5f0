import type { RouteTable } from './route';

/**
 * Headers of the Gateway's contract. The `x-sim-*` ones are simulation affordances a real gateway would not
 * honour: a caller can give its calls their own breaker (so a test that trips one does not fail others'
 * calls) and give the upstream hop its own fault settings (so only its own calls to the upstream fail).
 */
export const GATEWAY_HEADERS = {
  breakerScope: 'x-sim-breaker-scope',
  upstreamFaults: 'x-sim-upstream-faults',
  /** Upstream calls this request made (0 when the breaker failed it fast). */
  attempts: 'x-gateway-attempts',
  /** The jittered delays drawn before each retry, ms, comma-separated. */
  backoff: 'x-gateway-backoff-ms',
  /** The delays actually slept, measured, ms. */
  slept: 'x-gateway-backoff-slept-ms',
  breakerBefore: 'x-gateway-breaker-before',
  breakerAfter: 'x-gateway-breaker',
  upstream: 'x-gateway-upstream',
  /** The Gateway's API key (GATEWAY_API_KEY), required on `/api/*` when the Gateway has one. */
  apiKey: 'x-api-key',
} as const;

/** The API-key header a caller sends the Gateway: GATEWAY_API_KEY when set (a Gateway off loopback has one). */
export function gatewayAuthHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.GATEWAY_API_KEY ? { [GATEWAY_HEADERS.apiKey]: env.GATEWAY_API_KEY } : {};
}

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

/** The Gateway's routes. */
export const GATEWAY_ROUTES = {} satisfies RouteTable;
