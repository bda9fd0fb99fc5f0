import type { FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { request as httpRequest } from 'undici';
import { GATEWAY_HEADERS, GATEWAY_RETRY } from '../../contracts/gateway';
import { SIM_HEADERS } from '../../contracts/sim-headers';
import type { ServiceName } from '../catalog';
import type { ServiceContext } from '../shared/server';
import { HttpError } from '../shared/validation';
import { backoffMs } from './backoff';
import type { GatewayBreakers } from './breakers';
import type { BreakerState, CircuitBreaker } from './circuit-breaker';

// Headers that describe one hop, not the request.
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export interface ForwardOptions {
  /** Keep the caller's Host (a webhook's signature covers the URL its sender used, host included). */
  preserveHost?: boolean;
}

export type Forward = (
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: ServiceName,
  path: string,
  opts?: ForwardOptions,
) => Promise<unknown>;

interface UpstreamAnswer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

function forwardable(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k, v]) => !HOP_HEADERS.has(k) && typeof v === 'string'),
  ) as Record<string, string>;
}

/** What goes upstream: the caller's headers minus the Gateway's own, its query and its body byte for byte. */
function upstreamCall(request: FastifyRequest, opts: ForwardOptions) {
  const headers = forwardable(request.headers);
  // The upstream hop gets its own fault settings when the caller gives them.
  const upstreamFaults = headers[GATEWAY_HEADERS.upstreamFaults];
  delete headers[GATEWAY_HEADERS.upstreamFaults];
  delete headers[GATEWAY_HEADERS.breakerScope];
  // The gateway retries its upstream: a caller's draw would give every retry the same fault, so the upstream
  // draws from its own stream.
  delete headers[SIM_HEADERS.draw];
  if (upstreamFaults) headers[SIM_HEADERS.faults] = upstreamFaults;
  if (opts.preserveHost && request.headers.host) headers.host = request.headers.host;
  return {
    query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
    headers,
    // The body goes on byte for byte (signed bodies must arrive as they were signed).
    body: Buffer.isBuffer(request.body) && request.body.length ? request.body : undefined,
    // Only calls that are safe to repeat are retried.
    retriable: request.method === 'GET' || typeof headers[SIM_HEADERS.idempotencyKey] === 'string',
  };
}

/** What one forwarded request did, as the Gateway's answer headers tell the caller. */
class ForwardReport {
  readonly planned: number[] = [];
  readonly slept: number[] = [];
  calls = 0;
  private readonly before: BreakerState;

  constructor(
    private readonly upstream: ServiceName,
    private readonly breaker: CircuitBreaker,
  ) {
    this.before = breaker.current;
  }

  headers(): Record<string, string> {
    return {
      [GATEWAY_HEADERS.upstream]: this.upstream,
      [GATEWAY_HEADERS.attempts]: String(this.calls),
      [GATEWAY_HEADERS.backoff]: this.planned.map((d) => d.toFixed(1)).join(','),
      [GATEWAY_HEADERS.slept]: this.slept.map((d) => d.toFixed(1)).join(','),
      [GATEWAY_HEADERS.breakerBefore]: this.before,
      [GATEWAY_HEADERS.breakerAfter]: this.breaker.current,
    };
  }
}

/** Sleeps a jittered backoff out in full: Node's timers run on a coarse loop clock and may fire a little early. */
async function sleepBackoff(attempt: number, rng: () => number): Promise<{ wait: number; took: number }> {
  const wait = backoffMs(attempt, rng);
  const t0 = performance.now();
  while (performance.now() - t0 < wait) await delay(wait - (performance.now() - t0));
  return { wait, took: performance.now() - t0 };
}

/** One upstream call, answered whatever its status. */
async function attempt(url: string, call: ReturnType<typeof upstreamCall>, method: string): Promise<UpstreamAnswer> {
  const res = await httpRequest(url, {
    method: method as 'GET',
    headers: call.headers,
    body: call.body,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The forwarding's own metrics: the backoffs slept and the upstream calls by outcome. */
function forwardMetrics(registry: client.Registry) {
  return {
    backoffs: new client.Histogram({
      name: 'gateway_retry_backoff_seconds',
      help: 'Delays the Gateway slept before retrying an upstream call',
      labelNames: ['upstream'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
      registers: [registry],
    }),
    attemptsTotal: new client.Counter({
      name: 'gateway_upstream_attempts_total',
      help: 'Upstream calls by outcome (ok, failed, or short_circuited when the breaker refused)',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    }),
  };
}

/** The Gateway's forwarding: through the upstream's breaker, retrying what is safe to repeat with backoff. */
export function createForwarder(
  ctx: ServiceContext,
  upstreams: Record<ServiceName, string>,
  breakers: GatewayBreakers,
): Forward {
  const { backoffs, attemptsTotal } = forwardMetrics(ctx.metrics);
  return async (request, reply, upstream, path, opts = {}) => {
    const breaker = breakers.forRequest(request, upstream);
    const call = upstreamCall(request, opts);
    const report = new ForwardReport(upstream, breaker);
    const url = `${upstreams[upstream]}/${path}${call.query}`;
    let last: UpstreamAnswer | undefined;
    for (let n = 0; ; n++) {
      if (!breaker.allow()) {
        attemptsTotal.inc({ upstream, outcome: 'short_circuited' });
        return reply
          .code(503)
          .headers(report.headers())
          .send({
            error: 'circuit_open',
            message: `circuit to ${upstream} is open; failing fast`,
            retry_after_ms: Math.ceil(breaker.remainingOpenMs),
          });
      }
      report.calls++;
      let failure: Error;
      try {
        last = await attempt(url, call, request.method);
        if (last.status < 500) {
          breaker.success();
          attemptsTotal.inc({ upstream, outcome: 'ok' });
          return reply.code(last.status).headers(forwardable(last.headers)).headers(report.headers()).send(last.text);
        }
        failure = new Error(`upstream ${last.status}`);
      } catch (err) {
        last = undefined;
        failure = err as Error;
      }
      breaker.failure();
      attemptsTotal.inc({ upstream, outcome: 'failed' });
      if (!call.retriable || n >= GATEWAY_RETRY.retries) {
        if (last)
          return reply.code(last.status).headers(forwardable(last.headers)).headers(report.headers()).send(last.text);
        throw new HttpError(502, 'bad_gateway', `${upstream}: ${failure.message}`);
      }
      const { wait, took } = await sleepBackoff(n, ctx.rng);
      report.planned.push(wait);
      report.slept.push(took);
      backoffs.observe({ upstream }, took / 1000);
    }
  };
}
