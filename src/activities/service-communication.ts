import { Context } from '@temporalio/activity';
import { request } from 'undici';
import type { CallContext } from '../flows/types';
import type { ServiceName } from '../services/catalog';
import { backoffCapMs, gatewayAuthHeaders, GATEWAY_HEADERS, GATEWAY_RETRY } from '../contracts/gateway';
import { QUIET_FAULTS, type ServiceFaults } from '../contracts/fault-profile';
import { hubspotSecret } from '../contracts/hubspot';
import { encodeFaults, SIM_HEADERS } from '../contracts/sim-headers';
import type { ActivityDeps } from './deps';
import { requestTimeoutMs } from './http';
import { dealEvents, signedHeaders, type ClosedWonDeal } from './hubspot-delivery';
import { check, PropertyViolation, verified } from './verified';

// Every call it makes answers 503 before any work: how a step makes its own calls to an upstream fail.
const FAILING: ServiceFaults = { ...QUIET_FAULTS, error_rate: 1 };

interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  ms: number;
}

interface GatewayCall {
  method: 'GET' | 'POST';
  path: string;
  /** The gateway hop's faults, and the upstream hop's (when different). */
  faults: ServiceFaults;
  upstreamFaults?: ServiceFaults;
  idempotencyKey?: string;
  breakerScope?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One call to the Gateway, answered with status, headers and JSON body, whatever the status. */
async function callGateway(deps: ActivityDeps, ctx: CallContext, call: GatewayCall): Promise<GatewayAnswer> {
  const timeout = requestTimeoutMs(20_000, ctx.timeScale);
  const started = performance.now();
  const res = await request(`${deps.services.gateway}${call.path}`, {
    method: call.method,
    dispatcher: deps.agent,
    signal: Context.current().cancellationSignal,
    headers: {
      'content-type': 'application/json',
      ...gatewayAuthHeaders(),
      [SIM_HEADERS.faults]: encodeFaults(call.faults),
      [SIM_HEADERS.timeScale]: String(ctx.timeScale),
      ...(call.upstreamFaults ? { [GATEWAY_HEADERS.upstreamFaults]: encodeFaults(call.upstreamFaults) } : {}),
      ...(call.idempotencyKey ? { [SIM_HEADERS.idempotencyKey]: call.idempotencyKey } : {}),
      ...(call.breakerScope ? { [GATEWAY_HEADERS.breakerScope]: call.breakerScope } : {}),
      ...call.headers,
    },
    body: call.body,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const text = await res.body.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  const headers = Object.fromEntries(
    Object.entries(res.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return { status: res.statusCode, headers, body, ms: performance.now() - started };
}

/** A 2xx answer, or a failure: refusals (4xx) fail the step, outages and injected faults are retried. */
function ok(answer: GatewayAnswer, what: string): GatewayAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  const message = `${what}: HTTP ${answer.status} ${String(answer.body.message ?? answer.body.error ?? '')}`;
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) throw new PropertyViolation(message);
  throw new Error(message);
}

/** One closed-won deal attributed to an ad, as HubSpot delivers it: three property changes. */
type DealInput = Omit<ClosedWonDeal, 'extra'>;

const dealDelivery = (input: DealInput) => JSON.stringify(dealEvents(input));

/** A HubSpot v3 delivery to the Gateway's public webhook address, signed with `secret` for that address. */
function deliverWebhook(deps: ActivityDeps, gw: CallContext, ml: CallContext, body: string, secret: string) {
  return callGateway(deps, gw, {
    method: 'POST',
    path: '/webhooks/hubspot',
    faults: gw.faults,
    upstreamFaults: ml.faults,
    // The receiver stores each event once, so the delivery is safe to repeat: the key lets the Gateway retry
    // an upstream 5xx itself, as it does for any idempotent call.
    idempotencyKey: `${gw.key}:${secret === hubspotSecret() ? 'signed' : 'forged'}`,
    body,
    headers: signedHeaders(secret, `${deps.services.gateway}/webhooks/hubspot`, body),
  });
}

const isCircuitOpen = (a: GatewayAnswer) => a.status === 503 && a.body.error === 'circuit_open';
const numbers = (header: string | undefined) => (header ? header.split(',').map(Number) : []);

type UpstreamInput = { upstream: ServiceName };

/** The Gateway routes to an upstream: the answer comes from the service it was addressed to. */
async function gatewayRouting(deps: ActivityDeps, gw: CallContext, input: UpstreamInput) {
  const { upstream } = input;
  const a = ok(
    await callGateway(deps, gw, { method: 'GET', path: `/api/${upstream}/health`, faults: gw.faults }),
    upstream,
  );
  check(a.body.service === upstream, `/api/${upstream}/health answered by ${String(a.body.service)}`);
  check(
    a.headers[GATEWAY_HEADERS.upstream] === upstream,
    `gateway reports upstream ${a.headers[GATEWAY_HEADERS.upstream]}`,
  );
  return { ms: Math.round(a.ms) };
}

type QueueInput = { ad_account_id: string; ad_set_id: string };

/** A change as the Meta Publisher's SafeExecutor queue shows it (a type, so a JSON body casts to it). */
type QueuedChange = {
  idempotency_key: string;
  change_type: string;
  ad_set_id: string;
  payload: Record<string, unknown>;
  status: string;
};

/**
 * The flow's own campaign and ad set at Meta (created idempotently): the queue takes changes only for ad sets
 * Meta holds. That is set-up, not the path the step measures, so it runs without the injected faults.
 */
async function ownAdSet(deps: ActivityDeps, gw: CallContext, input: QueueInput): Promise<string> {
  const create = async (edge: string, path: string, body: Record<string, unknown>) =>
    (
      ok(
        await callGateway(deps, gw, {
          method: 'POST',
          path,
          faults: QUIET_FAULTS,
          upstreamFaults: QUIET_FAULTS,
          idempotencyKey: `${gw.key}:${edge}`,
          body: JSON.stringify(body),
        }),
        edge,
      ).body as { id: string }
    ).id;
  // Whole paths, so the contract check can read each route.
  const graph = `/api/meta-publisher/v19.0/${input.ad_account_id}`;
  const campaign = await create('campaigns', `${graph}/campaigns`, {
    name: input.ad_set_id,
    objective: 'OUTCOME_TRAFFIC',
  });
  return create('adsets', `${graph}/adsets`, { name: input.ad_set_id, campaign_id: campaign, daily_budget: 100 });
}

/** The ML Service queues a decision on the Meta Publisher's SafeExecutor queue, once, as the Gateway shows. */
async function mlToMetaQueue(
  deps: ActivityDeps,
  gw: CallContext,
  ml: CallContext,
  meta: CallContext,
  input: QueueInput,
) {
  const adSetId = await ownAdSet(deps, gw, input);
  const queued = ok(
    await callGateway(deps, gw, {
      method: 'POST',
      path: '/api/ml-service/queue-bridge/status-changes',
      faults: gw.faults,
      upstreamFaults: ml.faults,
      idempotencyKey: gw.key,
      body: JSON.stringify({
        ad_account_id: input.ad_account_id,
        ad_set_id: adSetId,
        action: 'pause',
        reason: 'service-communication: predicted CTR below floor',
      }),
    }),
    'queue-bridge',
  ).body as { change_id: string; created: boolean };
  const change = ok(
    await callGateway(deps, gw, {
      method: 'GET',
      path: `/api/meta-publisher/safe-executor/changes/${queued.change_id}`,
      faults: gw.faults,
      upstreamFaults: meta.faults,
    }),
    'queued change',
  ).body as QueuedChange;
  check(change.idempotency_key === gw.key, `queued under key ${change.idempotency_key}`);
  check(
    change.change_type === 'status_update' && change.ad_set_id === adSetId,
    'queued change is not the decision sent',
  );
  check(
    change.payload.source === 'ml-service' && change.payload.status === 'PAUSED',
    'payload not from the ML Service',
  );
  const rows = await deps.pool.query('SELECT count(*)::int AS n FROM pending_ad_changes WHERE idempotency_key = $1', [
    gw.key,
  ]);
  check(rows.rows[0].n === 1, `${rows.rows[0].n} queue rows for one decision`);
  return { change_id: queued.change_id, status: change.status };
}

/** A signed HubSpot v3 delivery to the Gateway's public webhook reaches the ML Service and is stored once. */
async function hubspotToMlWebhook(deps: ActivityDeps, gw: CallContext, ml: CallContext, input: DealInput) {
  const body = dealDelivery(input);
  const answer = ok(await deliverWebhook(deps, gw, ml, body, hubspotSecret()), 'signed delivery');
  const stored = await deps.pool.query<{ events: number; conversions: number; revenue: number }>(
    `SELECT (SELECT count(*)::int FROM feedback_events WHERE source = 'hubspot' AND ad_id = $1) AS events,
                  (SELECT coalesce(sum(conversions), 0)::int FROM performance_metrics WHERE source = 'hubspot' AND ad_id = $1) AS conversions,
                  (SELECT coalesce(sum(revenue), 0)::float FROM performance_metrics WHERE source = 'hubspot' AND ad_id = $1) AS revenue`,
    [input.ad_id],
  );
  const s = stored.rows[0];
  check(s.events === 3, `${s.events} events stored for 3 delivered`);
  check(s.conversions === 1 && s.revenue === input.amount, `deal counted ${s.conversions} times, revenue ${s.revenue}`);
  return { stored_now: Number(answer.body.stored) };
}

/** The same delivery signed with a wrong secret is refused (401) on its way through the Gateway. */
async function hubspotForgedWebhook(deps: ActivityDeps, gw: CallContext, ml: CallContext, input: DealInput) {
  const body = dealDelivery(input);
  const forged = await deliverWebhook(deps, gw, ml, body, 'not-the-app-secret');
  if (forged.status !== 401) ok(forged, 'forged delivery');
  check(forged.status === 401, `a forged signature was answered ${forged.status}`);
  return { status: forged.status };
}

/** Forced upstream failures through the step's own breaker until it opens (at most 20 calls). */
async function tripBreaker(deps: ActivityDeps, ctrl: CallContext, upstream: ServiceName) {
  const states: string[] = [];
  let failures = 0;
  let opened = false;
  for (let i = 0; i < 20 && !opened; i++) {
    const a = await callGateway(deps, ctrl, {
      method: 'POST',
      path: `/api/${upstream}/sim/breaker-probe`,
      faults: QUIET_FAULTS,
      upstreamFaults: FAILING,
      breakerScope: ctrl.key,
      body: '{}',
    });
    failures += Number(a.headers[GATEWAY_HEADERS.attempts] ?? 0);
    states.push(a.headers[GATEWAY_HEADERS.breakerAfter]);
    opened = isCircuitOpen(a);
    if (!opened) check(a.status === 503, `a forced upstream failure was answered ${a.status}`);
  }
  check(opened, `the breaker did not open after ${failures} failures`);
  return { states, failures };
}

/**
 * Drives failures through a breaker of the step's own until it opens, then checks a call to a healthy
 * upstream fails fast without reaching it. Answers how long the breaker stays open.
 */
async function circuitBreakerTrip(deps: ActivityDeps, ctrl: CallContext, input: UpstreamInput) {
  const { states, failures } = await tripBreaker(deps, ctrl, input.upstream);
  // A healthy upstream behind an open breaker: the Gateway must not call it.
  const fast = await callGateway(deps, ctrl, {
    method: 'GET',
    path: `/api/${input.upstream}/health`,
    faults: QUIET_FAULTS,
    breakerScope: ctrl.key,
  });
  check(isCircuitOpen(fast), `while open, a call was answered ${fast.status} ${String(fast.body.error)}`);
  check(fast.headers[GATEWAY_HEADERS.attempts] === '0', `while open, the Gateway still called ${input.upstream}`);
  return {
    states: [...new Set(states)],
    failures_to_open: failures,
    fail_fast_ms: Math.round(fast.ms * 10) / 10,
    open_ms: Number(fast.body.retry_after_ms),
  };
}

/** After the open period: one probe reaches the upstream and closes the breaker. */
async function circuitBreakerProbe(deps: ActivityDeps, ctrl: CallContext, input: UpstreamInput) {
  const probe = await callGateway(deps, ctrl, {
    method: 'GET',
    path: `/api/${input.upstream}/health`,
    faults: QUIET_FAULTS,
    breakerScope: ctrl.key,
  });
  // Still open (the timer fired a hair early for the Gateway's clock): a retry comes soon.
  if (isCircuitOpen(probe)) throw new Error(`circuit still open; retry in ${String(probe.body.retry_after_ms)} ms`);
  const before = probe.headers[GATEWAY_HEADERS.breakerBefore];
  const after = probe.headers[GATEWAY_HEADERS.breakerAfter];
  ok(probe, 'probe');
  check(before === 'half_open' || before === 'closed', `probe saw the breaker ${before}`);
  check(after === 'closed', `after a successful probe the breaker is ${after}`);
  return { before, after };
}

/** The Gateway's retries of a failing idempotent call: exponential, fully jittered, capped, really slept. */
async function retryBackoff(deps: ActivityDeps, ctrl: CallContext, input: UpstreamInput) {
  // Its own breaker per attempt, so the forced failures never open one that other calls use.
  const attempt = Context.current().info.attempt;
  const a = await callGateway(deps, ctrl, {
    method: 'GET',
    path: `/api/${input.upstream}/sim/backoff-probe`,
    faults: QUIET_FAULTS,
    upstreamFaults: FAILING,
    idempotencyKey: ctrl.key,
    breakerScope: `${ctrl.key}:${attempt}`,
  });
  const calls = Number(a.headers[GATEWAY_HEADERS.attempts]);
  const planned = numbers(a.headers[GATEWAY_HEADERS.backoff]);
  const slept = numbers(a.headers[GATEWAY_HEADERS.slept]);
  check(a.status === 503, `a call failing every time was answered ${a.status}`);
  check(calls === GATEWAY_RETRY.retries + 1, `${calls} upstream calls, expected ${GATEWAY_RETRY.retries + 1}`);
  check(planned.length === GATEWAY_RETRY.retries && slept.length === planned.length, 'delays not reported per retry');
  const caps = planned.map((_, i) => backoffCapMs(i));
  planned.forEach((d, i) => check(d >= 0 && d <= caps[i] + 0.05, `delay ${i} is ${d} ms, outside [0, ${caps[i]}]`));
  // Timers never fire early (rounding aside), and the call took at least the delays it slept.
  slept.forEach((s, i) => check(s >= planned[i] - 1, `slept ${s} ms where ${planned[i]} ms was drawn`));
  const total = slept.reduce((x, y) => x + y, 0);
  check(a.ms >= total - 1, `the call took ${a.ms} ms, less than its ${total} ms of backoff`);
  return { planned_ms: planned, caps_ms: caps, slept_ms: slept, call_ms: Math.round(a.ms) };
}

/** The service-communication flow: the Gateway and the paths between services, each step checking its property. */
export function createServiceCommunicationActivities(deps: ActivityDeps) {
  return {
    gateway_routing: (gw: CallContext, input: UpstreamInput) => verified(() => gatewayRouting(deps, gw, input)),
    ml_to_meta_queue: (gw: CallContext, ml: CallContext, meta: CallContext, input: QueueInput) =>
      verified(() => mlToMetaQueue(deps, gw, ml, meta, input)),
    hubspot_to_ml_webhook: (gw: CallContext, ml: CallContext, input: DealInput) =>
      verified(() => hubspotToMlWebhook(deps, gw, ml, input)),
    hubspot_forged_webhook: (gw: CallContext, ml: CallContext, input: DealInput) =>
      verified(() => hubspotForgedWebhook(deps, gw, ml, input)),
    circuit_breaker_trip: (ctrl: CallContext, input: UpstreamInput) =>
      verified(() => circuitBreakerTrip(deps, ctrl, input)),
    circuit_breaker_probe: (ctrl: CallContext, input: UpstreamInput) =>
      verified(() => circuitBreakerProbe(deps, ctrl, input)),
    retry_backoff: (ctrl: CallContext, input: UpstreamInput) => verified(() => retryBackoff(deps, ctrl, input)),
  };
}
