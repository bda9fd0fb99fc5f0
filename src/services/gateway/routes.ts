import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { request as httpRequest } from 'undici';
import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '../catalog';
import type { ServiceContext } from '../shared/server';
import { SIM_HEADERS } from '../../contracts/sim-headers';
import { HttpError, parseOr400 } from '../shared/validation';
import { GATEWAY_HEADERS, GATEWAY_RETRY } from '../../contracts/gateway';
import { backoffMs } from './backoff';
import { BREAKER_STATES, CircuitBreaker, type BreakerState } from './circuit-breaker';

export { backoffMs } from './backoff';

const UPSTREAMS = SERVICE_NAMES.filter((s) => s !== 'gateway') as [ServiceName, ...ServiceName[]];
const upstreamParams = z.object({ service: z.enum(UPSTREAMS), '*': z.string() });
const scopeSchema = z.string().min(1).max(200);

const FAILURE_THRESHOLD = 5;
const SHARED_OPEN_MS = 5_000;
// A scoped breaker's open period is platform time (a minute), scaled by the caller's time scale.
const SCOPED_OPEN_PLATFORM_MS = 60_000;
const MIN_SCOPED_OPEN_MS = 250;
// Scoped breakers are a test aid: keep only the most recent ones.
const MAX_SCOPED_BREAKERS = 500;
// Headers that describe one hop, not the request.
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

interface Breaker {
  upstream: ServiceName;
  scope: string;
  breaker: CircuitBreaker;
}

export function registerGateway(
  app: FastifyInstance,
  ctx: ServiceContext,
  upstreams: Record<ServiceName, string>,
): void {
  const transitions = new client.Counter({
    name: 'gateway_circuit_transitions_total',
    help: 'Circuit breaker state changes per upstream',
    labelNames: ['upstream', 'from', 'to'],
    registers: [ctx.metrics],
  });
  const breakers = new Map<string, Breaker>();
  const makeBreaker = (upstream: ServiceName, scope: string, openMs: number): Breaker => ({
    upstream,
    scope,
    breaker: new CircuitBreaker(FAILURE_THRESHOLD, openMs, Date.now, (from, to) =>
      transitions.inc({ upstream, from, to }),
    ),
  });
  for (const s of UPSTREAMS) breakers.set(s, makeBreaker(s, '', SHARED_OPEN_MS));

  new client.Gauge({
    name: 'gateway_circuit_state',
    help: 'Circuit breaker state per upstream and scope (1 for the current state; scope "" is the shared one)',
    labelNames: ['upstream', 'scope', 'state'],
    registers: [ctx.metrics],
    collect() {
      this.reset();
      for (const { upstream, scope, breaker } of breakers.values()) {
        for (const state of BREAKER_STATES) this.set({ upstream, scope, state }, breaker.current === state ? 1 : 0);
      }
    },
  });
  const backoffs = new client.Histogram({
    name: 'gateway_retry_backoff_seconds',
    help: 'Delays the Gateway slept before retrying an upstream call',
    labelNames: ['upstream'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
    registers: [ctx.metrics],
  });
  const attemptsTotal = new client.Counter({
    name: 'gateway_upstream_attempts_total',
    help: 'Upstream calls by outcome (ok, failed, or short_circuited when the breaker refused)',
    labelNames: ['upstream', 'outcome'],
    registers: [ctx.metrics],
  });

  /** The breaker for this request: the shared one, or its own when the caller names a scope. */
  function breakerFor(request: FastifyRequest, upstream: ServiceName): CircuitBreaker {
    const raw = request.headers[GATEWAY_HEADERS.breakerScope];
    if (raw === undefined) return breakers.get(upstream)!.breaker;
    const scope = parseOr400(scopeSchema, raw, GATEWAY_HEADERS.breakerScope);
    const key = `${upstream}\u0000${scope}`;
    let found = breakers.get(key);
    if (!found) {
      const openMs = Math.max(MIN_SCOPED_OPEN_MS, SCOPED_OPEN_PLATFORM_MS * request.sim.timeScale);
      found = makeBreaker(upstream, scope, openMs);
      breakers.set(key, found);
      evictScoped();
    }
    return found.breaker;
  }

  function evictScoped(): void {
    let scoped = breakers.size - UPSTREAMS.length;
    for (const [key, b] of breakers) {
      if (scoped <= MAX_SCOPED_BREAKERS) return;
      if (b.scope && b.breaker.current === 'closed') {
        breakers.delete(key);
        scoped--;
      }
    }
  }

  /** Forwards one request, retrying what is safe to repeat, through the upstream's breaker. */
  async function forward(
    request: FastifyRequest,
    reply: FastifyReply,
    upstream: ServiceName,
    path: string,
    opts: { preserveHost?: boolean } = {},
  ) {
    const breaker = breakerFor(request, upstream);
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([k, v]) => !HOP_HEADERS.has(k) && typeof v === 'string'),
    ) as Record<string, string>;
    // The upstream hop gets its own fault settings when the caller gives them.
    const upstreamFaults = headers[GATEWAY_HEADERS.upstreamFaults];
    delete headers[GATEWAY_HEADERS.upstreamFaults];
    delete headers[GATEWAY_HEADERS.breakerScope];
    // The gateway retries its upstream: a caller's draw would give every retry the same fault, so the upstream
    // draws from its own stream.
    delete headers[SIM_HEADERS.draw];
    if (upstreamFaults) headers[SIM_HEADERS.faults] = upstreamFaults;
    // A webhook's signature covers the URL its sender used, host included.
    if (opts.preserveHost && request.headers.host) headers.host = request.headers.host;
    // Only calls that are safe to repeat are retried.
    const retriable = request.method === 'GET' || typeof headers[SIM_HEADERS.idempotencyKey] === 'string';
    // The body goes on byte for byte (signed bodies must arrive as they were signed).
    const body = Buffer.isBuffer(request.body) && request.body.length ? request.body : undefined;

    const before: BreakerState = breaker.current;
    const planned: number[] = [];
    const slept: number[] = [];
    let calls = 0;
    const report = () => ({
      [GATEWAY_HEADERS.upstream]: upstream,
      [GATEWAY_HEADERS.attempts]: String(calls),
      [GATEWAY_HEADERS.backoff]: planned.map((d) => d.toFixed(1)).join(','),
      [GATEWAY_HEADERS.slept]: slept.map((d) => d.toFixed(1)).join(','),
      [GATEWAY_HEADERS.breakerBefore]: before,
      [GATEWAY_HEADERS.breakerAfter]: breaker.current,
    });
    let last: { status: number; headers: Record<string, unknown>; text: string } | undefined;
    for (let attempt = 0; ; attempt++) {
      if (!breaker.allow()) {
        attemptsTotal.inc({ upstream, outcome: 'short_circuited' });
        return reply
          .code(503)
          .headers(report())
          .send({
            error: 'circuit_open',
            message: `circuit to ${upstream} is open; failing fast`,
            retry_after_ms: Math.ceil(breaker.remainingOpenMs),
          });
      }
      calls++;
      try {
        const res = await httpRequest(`${upstreams[upstream]}/${path}${query}`, {
          method: request.method as 'GET',
          headers,
          body,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        const text = await res.body.text();
        last = { status: res.statusCode, headers: res.headers, text };
        if (res.statusCode >= 500) throw new Error(`upstream ${res.statusCode}`);
        breaker.success();
        attemptsTotal.inc({ upstream, outcome: 'ok' });
        return reply.code(res.statusCode).headers(forwardable(res.headers)).headers(report()).send(text);
      } catch (err) {
        breaker.failure();
        attemptsTotal.inc({ upstream, outcome: 'failed' });
        if (!(err as Error).message.startsWith('upstream ')) last = undefined;
        if (!retriable || attempt >= GATEWAY_RETRY.retries) {
          if (last) return reply.code(last.status).headers(forwardable(last.headers)).headers(report()).send(last.text);
          throw new HttpError(502, 'bad_gateway', `${upstream}: ${(err as Error).message}`);
        }
        const wait = backoffMs(attempt, ctx.rng);
        const t0 = performance.now();
        // Node's timers run on a coarse, cached loop clock and may fire a little early: sleep out the rest.
        while (performance.now() - t0 < wait) await delay(wait - (performance.now() - t0));
        const took = performance.now() - t0;
        planned.push(wait);
        slept.push(took);
        backoffs.observe({ upstream }, took / 1000);
      }
    }
  }

  // Bodies stay raw bytes: the Gateway forwards them, it does not read them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/gateway/upstreams', async () =>
    Object.fromEntries(
      UPSTREAMS.map((name) => [name, { url: upstreams[name], circuit: breakers.get(name)!.breaker.current }]),
    ),
  );

  const apiKey = process.env.GATEWAY_API_KEY;
  const authorize = (request: FastifyRequest) => {
    if (apiKey && request.headers[GATEWAY_HEADERS.apiKey] !== apiKey)
      throw new HttpError(401, 'unauthorized', 'bad or missing x-api-key');
  };

  app.all('/api/:service/*', async (request, reply) => {
    authorize(request);
    const { service, '*': rest } = parseOr400(upstreamParams, request.params, 'path');
    return forward(request, reply, service, rest);
  });

  // HubSpot's public webhook address: signed by HubSpot for this URL, so the Host goes on unchanged.
  app.post('/webhooks/hubspot', async (request, reply) =>
    forward(request, reply, 'ml-service', 'webhooks/hubspot', { preserveHost: true }),
  );
}

function forwardable(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k, v]) => !HOP_HEADERS.has(k) && typeof v === 'string'),
  ) as Record<string, string>;
}
