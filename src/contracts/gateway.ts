import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';
import { HUBSPOT_HEADERS } from './hubspot';
import { route } from './route';
import { jsonObject } from './shared';

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

/** The services behind the Gateway. */
export const UPSTREAMS = SERVICE_NAMES.filter((s) => s !== 'gateway') as [ServiceName, ...ServiceName[]];

/** `/api/:service/*`: the upstream and the rest of its path (Fastify names the wildcard `*`). */
export const upstreamParams = z.object({
  service: z.enum(UPSTREAMS),
  path: z.string().meta({ description: "the upstream's own path, slashes included" }),
});
/** A caller's own breaker: calls with the same scope share one, apart from everyone else's. */
export const breakerScopeSchema = z.string().min(1).max(200);

const proxyHeaders = z.object({
  [GATEWAY_HEADERS.apiKey]: z
    .string()
    .optional()
    .meta({ description: 'required when the Gateway has GATEWAY_API_KEY' }),
  [GATEWAY_HEADERS.breakerScope]: breakerScopeSchema.optional(),
  [GATEWAY_HEADERS.upstreamFaults]: z.string().optional().meta({ description: "the upstream hop's fault settings" }),
});
const upstreamAnswer = z.unknown().meta({
  description: `the upstream's answer as it gave it, with ${GATEWAY_HEADERS.attempts}, ${GATEWAY_HEADERS.backoff} and the breaker's state in headers`,
});
const proxy = (method: 'GET' | 'POST' | 'PUT') =>
  route({
    method,
    path: '/api/:service/*',
    summary: `Forwards a ${method} to an upstream through its circuit breaker, retrying what is safe to repeat`,
    params: upstreamParams,
    headers: proxyHeaders,
    ...(method === 'GET' ? {} : { body: z.unknown().optional() }),
    response: upstreamAnswer,
  });

/** The Gateway: a proxy with a circuit breaker and retries per upstream, and HubSpot's public webhook address. */
export const GATEWAY_ROUTES = {
  upstreams: route({
    method: 'GET',
    path: '/gateway/upstreams',
    summary: "Each upstream's address and its shared breaker's state",
    response: z.record(z.string(), z.object({ url: z.string(), circuit: z.enum(['closed', 'open', 'half_open']) })),
  }),
  proxyGet: proxy('GET'),
  proxyPost: proxy('POST'),
  proxyPut: proxy('PUT'),
  hubspotWebhook: route({
    method: 'POST',
    path: '/webhooks/hubspot',
    summary: "HubSpot's signed webhook deliveries, forwarded to the ML Service with the Host unchanged",
    headers: z.object({ [HUBSPOT_HEADERS.signature]: z.string(), [HUBSPOT_HEADERS.timestamp]: z.string() }),
    body: z.array(jsonObject),
    response: z.looseObject({ stored: z.number().int() }),
  }),
};
