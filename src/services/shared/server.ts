import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import client from 'prom-client';
import { setTimeout as delay } from 'node:timers/promises';
import { hashSeed, seededRng, type Rng } from '../../stats/random';
import type { ServiceName } from '../catalog';
import type { ServiceFaults } from '../../contracts/fault-profile';
import { CAPACITY_ROUTE, type Capacity } from '../../contracts/capacity';
import { SERVICE_CONTRACTS } from '../../contracts';
import { openApiDocument, type OpenApiDocument } from '../../contracts/openapi';
import { OPENAPI_ROUTE, SHARED_ROUTES } from '../../contracts/shared';
import { CapacityGate } from './capacity';
import { admitRequest } from './capacity-admission';
import { registerCapacity } from './capacity-routes';
import { decideFault, sampleLatencyMs } from './faults';
import { SIM_HEADERS } from '../../contracts/sim-headers';
import { readSimHeaders } from './sim-headers';
import { HttpError } from './validation';
import { badInputOf } from './pg-errors';
import { serve } from './serve';

/** What every service's routes get: its name, database, randomness and platform clock. */
export interface ServiceContext {
  name: ServiceName;
  pool: Pool;
  rng: Rng;
  metrics: client.Registry;
  /** Waits `platformMs` of platform time, scaled by the request's time scale. */
  platformDelay(request: FastifyRequest, platformMs: number): Promise<void>;
  /** The request's idempotency key, required for writes. */
  idempotencyKey(request: FastifyRequest): string;
}

export interface ServiceOptions {
  name: ServiceName;
  pool: Pool;
  faults: ServiceFaults;
  timeScale: number;
  seed?: number;
  /** What the process takes at once; none means unlimited. The admin endpoint changes it while running. */
  capacity?: Capacity | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    sim: { faults: ServiceFaults; timeScale: number; draw?: string; dropResponse: boolean };
  }
}

const INFRA_ROUTES = new Set(['/health', '/metrics', OPENAPI_ROUTE, CAPACITY_ROUTE]);
// How long a "timeout" fault holds a response before dropping the connection, if the caller waits that long.
const MAX_STALL_MS = 60_000;

/** The service's Prometheus registry and the request, duration and fault series every service keeps. */
function serviceMetrics(name: ServiceName) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: name });
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const durations = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const injected = new client.Counter({
    name: 'faults_injected_total',
    help: 'Faults injected by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  return { registry, requests, durations, injected };
}
type ServiceMetrics = ReturnType<typeof serviceMetrics>;

/** The request's idempotency key, required for writes: a 400 naming the header without it. */
function idempotencyKey(request: FastifyRequest): string {
  const key = request.headers[SIM_HEADERS.idempotencyKey];
  if (typeof key !== 'string' || key.length < 1 || key.length > 300) {
    throw new HttpError(
      400,
      'bad_request',
      `header ${SIM_HEADERS.idempotencyKey} is required (1-300 chars)`,
      'Idempotency-Key',
    );
  }
  return key;
}

/** Refuses a request the process has no room for: 503, or 429 with Retry-After, as its capacity says. */
async function refusedForCapacity(gate: CapacityGate, request: FastifyRequest, reply: FastifyReply) {
  // Capacity is the process's own, whatever profile the request carries: it holds a place from here to the answer.
  const limit = gate.capacity;
  if ((await admitRequest(gate, reply.raw)) !== 'refused' || !limit) return undefined;
  if (limit.overflow === '503') {
    return reply.code(503).send({ error: 'overloaded', message: 'over capacity: work and queue are full' });
  }
  reply.header('retry-after', String(Math.max(1, Math.round(limit.retry_after_seconds * request.sim.timeScale))));
  return reply.code(429).send({ error: 'overloaded', message: 'over capacity: work and queue are full' });
}

/** The request's latency and fault, from its draw when it names one: answers early for an injected refusal. */
async function injectFault(
  opts: ServiceOptions,
  rng: Rng,
  metrics: ServiceMetrics,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const { faults, timeScale, draw } = request.sim;
  // A call that names its draw gets latency and fault from it (the same draw, the same answer, in any order);
  // one that does not, from this process's stream.
  const draws = draw === undefined ? rng : seededRng(hashSeed(`${opts.name} ${request.routeOptions.url} ${draw}`));
  const latency = sampleLatencyMs(faults.latency, draws) * timeScale;
  if (latency > 0) await delay(latency);
  const fault = decideFault(faults, draws);
  if (fault.kind !== 'none') metrics.injected.inc({ kind: fault.kind });
  if (fault.kind === 'rate_limited') {
    reply.header('retry-after', String(Math.max(1, Math.round(fault.retryAfterSeconds * timeScale))));
    return reply.code(429).send({ error: 'rate_limited', message: 'injected: too many requests' });
  }
  if (fault.kind === 'error') {
    return reply.code(503).send({ error: 'unavailable', message: 'injected: service unavailable' });
  }
  if (fault.kind === 'timeout') request.sim.dropResponse = true;
  return undefined;
}

/** A "timeout" fault lets the work happen, then loses the answer: the caller must retry idempotently. */
async function dropIfTimedOut(request: FastifyRequest, payload: unknown) {
  if (!request.sim?.dropResponse) return payload;
  const socket = request.raw.socket;
  if (!socket.destroyed) {
    const stall = new AbortController();
    await Promise.race([
      delay(MAX_STALL_MS, undefined, { signal: stall.signal }).catch(() => undefined),
      new Promise((resolve) => socket.once('close', resolve)),
    ]);
    stall.abort();
  }
  socket.destroy();
  return payload;
}

/** Every error as the contract's error body: refusals name the field, anything else is a 500. */
function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof HttpError) {
    return reply.code(err.statusCode).send({ error: err.code, message: err.message, field: err.field });
  }
  const bad = badInputOf(err);
  if (bad) return reply.code(bad.statusCode).send({ error: bad.code, message: bad.message, field: bad.field });
  const e = err as { statusCode?: number; message: string; code?: string };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return reply.code(e.statusCode).send({ error: 'bad_request', message: e.message, field: 'body' });
  }
  request.log.error({ err }, 'request failed');
  return reply.code(500).send({ error: 'internal', message: e.message });
}

/** Whether the service is up and reaches its database. */
async function health(opts: ServiceOptions, startedAt: number) {
  const t = Date.now();
  let reachable = true;
  let error: string | undefined;
  try {
    await opts.pool.query('SELECT 1');
  } catch (err) {
    reachable = false;
    error = (err as Error).message;
  }
  return {
    status: reachable ? 'ok' : 'degraded',
    service: opts.name,
    uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    database: { reachable, latency_ms: Date.now() - t, ...(error ? { error } : {}) },
  };
}

/** The routes every service serves: health, metrics, its OpenAPI document (built on first ask). */
function registerSharedRoutes(app: FastifyInstance, opts: ServiceOptions, registry: client.Registry): void {
  const startedAt = Date.now();
  serve(app, SHARED_ROUTES.health, () => health(opts, startedAt));
  serve(app, SHARED_ROUTES.metrics, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  let document: OpenApiDocument | undefined;
  serve(
    app,
    SHARED_ROUTES.openApi,
    async () => (document ??= openApiDocument(opts.name, SERVICE_CONTRACTS[opts.name])),
  );
}

/** A Fastify app with health, Prometheus metrics, fault injection and body-validation errors wired in. */
export function createServiceApp(
  opts: ServiceOptions,
  registerRoutes: (app: FastifyInstance, ctx: ServiceContext) => void,
): FastifyInstance {
  const rng = seededRng(opts.seed ?? Date.now() ^ process.pid);
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' }, bodyLimit: 5 * 1024 * 1024 });
  const metrics = serviceMetrics(opts.name);
  const ctx: ServiceContext = {
    name: opts.name,
    pool: opts.pool,
    rng,
    metrics: metrics.registry,
    platformDelay: (request, platformMs) => delay(Math.max(0, platformMs * request.sim.timeScale)),
    idempotencyKey,
  };

  app.decorateRequest('sim', undefined as never);
  const gate = new CapacityGate(opts.capacity ?? null);
  registerCapacity(app, gate, metrics.registry);

  app.addHook('onRequest', async (request, reply) => {
    request.sim = { ...readSimHeaders(request.headers, opts), dropResponse: false };
    if (INFRA_ROUTES.has(request.routeOptions.url ?? '')) return;
    return (await refusedForCapacity(gate, request, reply)) ?? (await injectFault(opts, rng, metrics, request, reply));
  });
  app.addHook('onSend', async (request, _reply, payload) => dropIfTimedOut(request, payload));
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.durations.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler(sendError);

  registerSharedRoutes(app, opts, metrics.registry);
  registerRoutes(app, ctx);
  return app;
}
