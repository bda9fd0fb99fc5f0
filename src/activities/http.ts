import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, request, errors as undiciErrors } from 'undici';
import type { Attempted, CallContext } from '../flows/types';
import type { ServiceName } from '../services/catalog';
import { metaBackoffMs } from '../services/shared/meta-usage';
import { encodeFaults, SIM_HEADERS } from '../services/shared/sim-headers';

/** What the HTTP activities need: where each service lives and a shared connection pool. */
export interface HttpDeps {
  services: Record<ServiceName, string>;
  agent: Agent;
}

export function createHttpAgent(): Agent {
  return new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
}

const HEARTBEAT_EVERY_MS = 1000;

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

/** One JSON call to a service carrying the idempotency key and the run's simulation settings. */
export async function callService<T>(
  deps: HttpDeps,
  service: ServiceName,
  ctx: CallContext,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  budgetPlatformMs = 20_000,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const activity = currentActivity();
  // Never wait past the attempt's own start-to-close timeout: Temporal would already be retrying.
  const attemptMs = activity?.info.startToCloseTimeoutMs;
  const timeout = Math.min(requestTimeoutMs(budgetPlatformMs, ctx.timeScale), attemptMs ? attemptMs - 500 : Infinity);
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

/**
 * Runs an activity body and reports which attempt produced the answer; failures become
 * ApplicationFailures carrying the attempt, so the workflow can record retries either way.
 */
export async function attempted<T>(fn: () => Promise<T>): Promise<Attempted<T>> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  // A call still waiting after a second heartbeats, so a worker that dies mid-call is noticed within
  // the heartbeat timeout instead of the (much longer) start-to-close timeout.
  const heartbeat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return { value: await fn(), attempt };
  } catch (err) {
    if (err instanceof CallFailure) {
      throw ApplicationFailure.create({
        message: err.message,
        type: err.type,
        nonRetryable: err.nonRetryable,
        details: [{ attempt }],
        nextRetryDelay: err.retryAfterMs,
      });
    }
    throw ApplicationFailure.create({ message: (err as Error).message, type: 'Internal', details: [{ attempt }] });
  } finally {
    clearInterval(heartbeat);
  }
}

/** A long activity's progress: where the previous attempt got to, and a way to record how far this one is. */
export interface Progress<P> {
  /** The details the previous attempt heartbeated last (on whichever worker), or undefined on a first attempt. */
  resumeFrom: P | undefined;
  attempt: number;
  report(details: P): void;
}

/**
 * `attempted` for a long activity that works in parts: it heartbeats its latest progress details (at each
 * report and every second), so a retry after a crash starts from the last part the server heard of.
 */
export async function attemptedWithProgress<T, P>(fn: (progress: Progress<P>) => Promise<T>): Promise<Attempted<T>> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  let latest = ctx.info.heartbeatDetails as P | undefined;
  const progress: Progress<P> = {
    resumeFrom: latest,
    attempt,
    report(details) {
      latest = details;
      ctx.heartbeat(details);
    },
  };
  // Always resend the latest details: a heartbeat without them would not say where to resume.
  const heartbeat = setInterval(() => ctx.heartbeat(latest), HEARTBEAT_EVERY_MS);
  try {
    return { value: await fn(progress), attempt };
  } catch (err) {
    const failure = err instanceof CallFailure ? err : new CallFailure((err as Error).message, 'Internal', false);
    throw ApplicationFailure.create({
      message: failure.message,
      type: failure.type,
      nonRetryable: failure.nonRetryable,
      details: [{ attempt }],
      nextRetryDelay: failure.retryAfterMs,
    });
  } finally {
    clearInterval(heartbeat);
  }
}
