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
