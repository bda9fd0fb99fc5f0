import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, request, errors as undiciErrors } from 'undici';
import type { Attempted, CallContext } from '../flows/types';
import type { ServiceName } from '../services/catalog';
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

function classify(service: string, status: number, body: string, retryAfter: string | undefined): CallFailure {
  let message = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) message = parsed.message;
  } catch {
    // not JSON: keep the raw text
  }
  const text = `${service} answered ${status}: ${message}`;
  if (status === 429) {
    const seconds = Number(retryAfter);
    return new CallFailure(text, 'RateLimited', false, Number.isFinite(seconds) ? seconds * 1000 : undefined);
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
  const retryAfter = res.headers['retry-after'];
  throw classify(service, res.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined);
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
