import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, request, errors as undiciErrors } from 'undici';
import { performance } from 'node:perf_hooks';
import type { Attempted, AttemptTime, CallContext } from '../flows/types';
import { allRoutes, SERVICE_CONTRACTS } from '../contracts';
import { findRoute, type HttpMethod, type RouteTable } from '../contracts/route';
import type { ServiceName } from '../services/catalog';
import { metaBackoffMs } from '../contracts/meta-usage';
import { encodeFaults, SIM_HEADERS } from '../contracts/sim-headers';

/** What the HTTP activities need: where each service lives and a shared connection pool. */
export interface HttpDeps {
  services: Record<ServiceName, string>;
  agent: Agent;
}

export function createHttpAgent(): Agent {
  return new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
}

const HEARTBEAT_EVERY_MS = 1000;

/** An attempt's time in the platform's calls, summed by callService while the attempt runs. */
interface AttemptClock {
  serviceMs: number;
  calls: number;
  /** Calls begun in this attempt: the next call's place in its draw. */
  begun: number;
}
const clocks = new WeakMap<Context, AttemptClock>();

/** What an attempt heartbeats, so the next attempt knows the earlier attempts' times (and, for long work, progress). */
interface CarriedDetails<P = unknown> {
  times: AttemptTime[];
  /** Worker clock when the attempt that heartbeated ended (or last heartbeated). */
  ended_at: number;
  progress?: P;
}

function carriedFrom(details: unknown): CarriedDetails | undefined {
  const d = details as Partial<CarriedDetails> | undefined;
  return d && Array.isArray(d.times) && typeof d.ended_at === 'number' ? (d as CarriedDetails) : undefined;
}

/**
 * A local activity cannot heartbeat, and its retries run in the worker that runs its workflow: a failed local
 * attempt leaves its details here for the next attempt instead. Bounded: past the limit the oldest entries go
 * (an activity whose retries ended with a failure never comes back for its entry).
 */
const localCarried = new Map<string, CarriedDetails>();
const LOCAL_CARRIED_MAX = 10_000;

function localKey(info: Context['info']): string {
  return `${info.workflowExecution?.workflowId}/${info.workflowExecution?.runId}/${info.activityId}`;
}

function keepLocal(key: string, details: CarriedDetails): void {
  localCarried.delete(key);
  localCarried.set(key, details);
  if (localCarried.size > LOCAL_CARRIED_MAX) localCarried.delete(localCarried.keys().next().value as string);
}

/** The running activity's context, or undefined outside one (the benchmark's plain runner calls services too). */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** A failure classified for Temporal: its type decides whether a retry can help. */
class CallFailure extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly nonRetryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Meta's error codes for throttling: app (4), user (17), page (32), ad-account/ads API (613), BUC (80000-80014). */
const META_THROTTLE_CODES = new Set([4, 17, 32, 613]);
const isMetaThrottle = (code: number) => META_THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014);

/** Turns a service's error answer into a classified failure (exported for its unit test). */
export function classify(
  service: string,
  status: number,
  body: string,
  headers: Record<string, string | string[] | undefined>,
  timeScale: number,
): CallFailure {
  let message = body.slice(0, 300);
  let metaCode: number | undefined;
  try {
    const parsed = JSON.parse(body) as {
      message?: string;
      error?: { type?: string; code?: unknown; message?: string };
    };
    if (parsed.message) message = parsed.message;
    if (parsed.error?.type === 'OAuthException' && typeof parsed.error.code === 'number') {
      metaCode = parsed.error.code;
      message = body.slice(0, 300);
    }
  } catch {
    // not JSON: keep the raw text
  }
  const text = `${service} answered ${status}: ${message}`;
  const retryAfter = headers['retry-after'];
  if (status === 429) {
    const seconds = Number(typeof retryAfter === 'string' ? retryAfter : undefined);
    return new CallFailure(text, 'RateLimited', false, Number.isFinite(seconds) ? seconds * 1000 : undefined);
  }
  // Meta answers over-limit calls with 400 and an OAuthException: a rate limit to wait out, not bad input.
  if (metaCode !== undefined && isMetaThrottle(metaCode)) {
    const platformMs = metaBackoffMs(headers);
    return new CallFailure(text, 'RateLimited', false, platformMs === undefined ? undefined : platformMs * timeScale);
  }
  if (status === 400 || status === 422) return new CallFailure(text, 'InvalidInput', true);
  if (status === 401) return new CallFailure(text, 'Unauthorized', true);
  if (status === 404) return new CallFailure(text, 'NotFound', true);
  if (status === 409) return new CallFailure(text, 'Conflict', true);
  return new CallFailure(text, 'ServiceUnavailable', false);
}

/** The per-call HTTP timeout: the step's budget in platform time, scaled, within sane bounds. */
export function requestTimeoutMs(budgetPlatformMs: number, timeScale: number): number {
  return Math.min(120_000, Math.max(2_000, budgetPlatformMs * timeScale));
}

const contracted = new Map<ServiceName, RouteTable>();

/**
 * Refuses a call its service's contract (src/contracts) does not list, naming it: every call a flow makes is a
 * documented route, so a real deployment can be checked against the documents. Not retried: a retry cannot help.
 */
export function checkContract(service: ServiceName, method: HttpMethod, path: string): void {
  // A service whose contract is not written yet takes any call.
  if (!Object.keys(SERVICE_CONTRACTS[service]).length) return;
  let routes = contracted.get(service);
  if (!routes) contracted.set(service, (routes = allRoutes(service)));
  if (findRoute(routes, method, path)) return;
  throw new CallFailure(
    `${service} ${method} ${path.split('?')[0]}: no such route in the ${service} contract (src/contracts/${service}.ts)`,
    'NotInContract',
    true,
  );
}

/** One JSON call to a service carrying the idempotency key and the run's simulation settings. */
export async function callService<T>(
  deps: HttpDeps,
  service: ServiceName,
  ctx: CallContext,
  method: HttpMethod,
  path: string,
  body?: unknown,
  budgetPlatformMs = 20_000,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  checkContract(service, method, path);
  const activity = currentActivity();
  // Never wait past the attempt's own start-to-close timeout: Temporal would already be retrying.
  const attemptMs = activity?.info.startToCloseTimeoutMs;
  const timeout = Math.min(requestTimeoutMs(budgetPlatformMs, ctx.timeScale), attemptMs ? attemptMs - 500 : Infinity);
  const clock = activity && clocks.get(activity);
  // The call's draw: the step's, this attempt and the call's place in it (the plain runner's calls are attempt 1).
  const draw = ctx.draw && `${ctx.draw}:${activity?.info.attempt ?? 1}:${clock ? clock.begun++ : 0}`;
  const headers = draw ? { ...extraHeaders, [SIM_HEADERS.draw]: draw } : extraHeaders;
  const began = performance.now();
  try {
    return await roundTrip<T>(deps, service, ctx, method, path, body, timeout, headers, activity);
  } finally {
    if (clock) {
      clock.serviceMs += performance.now() - began;
      clock.calls += 1;
    }
  }
}

async function roundTrip<T>(
  deps: HttpDeps,
  service: ServiceName,
  ctx: CallContext,
  method: HttpMethod,
  path: string,
  body: unknown,
  timeout: number,
  extraHeaders: Record<string, string>,
  activity: Context | undefined,
): Promise<T> {
  let res;
  try {
    res = await request(`${deps.services[service]}${path}`, {
      method,
      dispatcher: deps.agent,
      signal: activity?.cancellationSignal,
      headers: {
        'content-type': 'application/json',
        [SIM_HEADERS.idempotencyKey]: ctx.key,
        [SIM_HEADERS.faults]: encodeFaults(ctx.faults),
        [SIM_HEADERS.timeScale]: String(ctx.timeScale),
        ...extraHeaders,
      },
      // A string is sent as it is (a signed body must reach the service byte for byte).
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (err) {
    const kind = err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError;
    throw new CallFailure(
      `${service} ${method} ${path}: ${kind ? `no answer within ${timeout} ms` : (err as Error).message}`,
      kind ? 'Timeout' : 'Transport',
      false,
    );
  }
  const text = await res.body.text();
  if (res.statusCode >= 200 && res.statusCode < 300) return JSON.parse(text) as T;
  throw classify(service, res.statusCode, text, res.headers, ctx.timeScale);
}

/** A long activity's progress: where the previous attempt got to, and a way to record how far this one is. */
export interface Progress<P> {
  /** The details the previous attempt heartbeated last (on whichever worker), or undefined on a first attempt. */
  resumeFrom: P | undefined;
  attempt: number;
  report(details: P): void;
}

function classified(err: unknown): CallFailure {
  return err instanceof CallFailure ? err : new CallFailure((err as Error).message, 'Internal', false);
}

/**
 * Runs one attempt of an activity body: times the platform's calls it makes (HTTP round trips on a monotonic
 * clock; for an activity that makes none, such as direct database work, the body itself), and answers with
 * the value, the attempt number and the times of this and earlier attempts. A failing attempt heartbeats
 * its time before it fails, so the next attempt carries it on; failures become ApplicationFailures carrying
 * the attempt and the times, so the workflow can record retries and service time either way.
 *
 * While it runs it heartbeats every second (with the progress of a long activity, when it reports one), so
 * a worker that dies mid-call is noticed within the heartbeat timeout instead of the start-to-close timeout.
 */
async function runAttempt<T, P>(fn: (progress: Progress<P>) => Promise<T>): Promise<Attempted<T>> {
  const ctx = Context.current();
  const { attempt, currentAttemptScheduledTimestampMs, isLocal } = ctx.info;
  const key = isLocal ? localKey(ctx.info) : '';
  const carried = isLocal ? localCarried.get(key) : carriedFrom(ctx.info.heartbeatDetails);
  if (isLocal) localCarried.delete(key);
  const earlier = carried?.times.filter((t) => t.attempt < attempt) ?? [];
  // The server scheduled this retry at the failure plus its backoff: the gap before that is the backoff. A local
  // retry runs in this process, so its gap is read on this clock.
  const scheduledAt = isLocal ? Date.now() : currentAttemptScheduledTimestampMs;
  const backoffMs = attempt > 1 && carried ? Math.max(0, scheduledAt - carried.ended_at) : 0;
  let latest = carried?.progress as P | undefined;
  const clock: AttemptClock = { serviceMs: 0, calls: 0, begun: 0 };
  clocks.set(ctx, clock);
  const began = performance.now();
  const timeSoFar = (ok: boolean): AttemptTime => ({
    attempt,
    service_ms: clock.calls ? clock.serviceMs : performance.now() - began,
    ok,
    backoff_ms: backoffMs,
  });
  const details = (times: AttemptTime[]): CarriedDetails<P> => ({
    times,
    ended_at: Date.now(),
    ...(latest === undefined ? {} : { progress: latest }),
  });
  const progress: Progress<P> = {
    resumeFrom: latest,
    attempt,
    report(next) {
      latest = next;
      ctx.heartbeat(details(earlier));
    },
  };
  // The times of earlier attempts ride along on every heartbeat, so a worker that dies keeps them too.
  const heartbeat = setInterval(() => ctx.heartbeat(details(earlier)), HEARTBEAT_EVERY_MS);
  try {
    const value = await fn(progress);
    return { value, attempt, times: [...earlier, timeSoFar(true)] };
  } catch (err) {
    const failure = classified(err);
    const times = [...earlier, timeSoFar(false)];
    // The last heartbeat before failing reaches the server with the failure: the retry reads it.
    if (isLocal) {
      if (!failure.nonRetryable) keepLocal(key, details(times));
    } else ctx.heartbeat(details(times));
    throw ApplicationFailure.create({
      message: failure.message,
      type: failure.type,
      nonRetryable: failure.nonRetryable,
      details: [{ attempt, times }],
      nextRetryDelay: failure.retryAfterMs,
    });
  } finally {
    clearInterval(heartbeat);
    clocks.delete(ctx);
  }
}

/** An activity body run as one timed attempt (see runAttempt). */
export function attempted<T>(fn: () => Promise<T>): Promise<Attempted<T>> {
  return runAttempt(() => fn());
}

/**
 * `attempted` for a long activity that works in parts: it heartbeats its latest progress details (at each
 * report and every second), so a retry after a crash starts from the last part the server heard of.
 */
export function attemptedWithProgress<T, P>(fn: (progress: Progress<P>) => Promise<T>): Promise<Attempted<T>> {
  return runAttempt(fn);
}
