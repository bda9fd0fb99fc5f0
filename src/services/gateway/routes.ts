import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import { setTimeout as delay } from 'node:timers/promises';
import { request as httpRequest } from 'undici';
import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '../catalog';
import type { ServiceContext } from '../shared/server';
import { HttpError, parseOr400 } from '../shared/validation';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';

const upstreamParams = z.object({
  service: z.enum(SERVICE_NAMES.filter((s) => s !== 'gateway') as [ServiceName, ...ServiceName[]]),
  '*': z.string(),
});

const RETRIES = 3;
const BASE_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;
const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half_open'];
// Headers that describe one hop, not the request.
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, rng: () => number): number {
  return rng() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
}

export function registerGateway(
  app: FastifyInstance,
  ctx: ServiceContext,
  upstreams: Record<ServiceName, string>,
): void {
  const breakers = new Map<ServiceName, CircuitBreaker>(SERVICE_NAMES.map((s) => [s, new CircuitBreaker()]));
  const breakerGauge = new client.Gauge({
    name: 'gateway_circuit_state',
    help: 'Circuit breaker state per upstream (1 for the current state)',
    labelNames: ['upstream', 'state'],
    registers: [ctx.metrics],
    collect() {
      for (const [upstream, breaker] of breakers) {
        for (const state of BREAKER_STATES) this.set({ upstream, state }, breaker.current === state ? 1 : 0);
      }
    },
  });
  void breakerGauge;
  const apiKey = process.env.GATEWAY_API_KEY;

  app.get('/gateway/upstreams', async () =>
    Object.fromEntries([...breakers].map(([name, b]) => [name, { url: upstreams[name], circuit: b.current }])),
  );

  app.all('/api/:service/*', async (request, reply) => {
    if (apiKey && request.headers['x-api-key'] !== apiKey)
      throw new HttpError(401, 'unauthorized', 'bad or missing x-api-key');
    const { service, '*': rest } = parseOr400(upstreamParams, request.params, 'path');
    const breaker = breakers.get(service)!;
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([k, v]) => !HOP_HEADERS.has(k) && typeof v === 'string'),
    ) as Record<string, string>;
    // Only calls that are safe to repeat are retried.
    const retriable = request.method === 'GET' || typeof headers['idempotency-key'] === 'string';
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    for (let attempt = 0; ; attempt++) {
      if (!breaker.allow()) {
        throw new HttpError(503, 'circuit_open', `circuit to ${service} is open; failing fast`);
      }
      try {
        const res = await httpRequest(`${upstreams[service]}/${rest}${query}`, {
          method: request.method as 'GET',
          headers,
          body,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        const text = await res.body.text();
        if (res.statusCode >= 500) throw Object.assign(new Error(`upstream ${res.statusCode}`), { text, res });
        breaker.success();
        return reply.code(res.statusCode).headers(forwardable(res.headers)).send(text);
      } catch (err) {
        breaker.failure();
        const e = err as Error & { text?: string; res?: { statusCode: number; headers: Record<string, unknown> } };
        if (!retriable || attempt >= RETRIES) {
          if (e.res) return reply.code(e.res.statusCode).headers(forwardable(e.res.headers)).send(e.text);
          throw new HttpError(502, 'bad_gateway', `${service}: ${e.message}`);
        }
        await delay(backoffMs(attempt, ctx.rng));
      }
    }
  });
}

function forwardable(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k, v]) => !HOP_HEADERS.has(k) && typeof v === 'string'),
  ) as Record<string, string>;
}
