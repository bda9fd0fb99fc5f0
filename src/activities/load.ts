import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { workflowFailedOutcome } from '../flows/outcomes';
import type { FlowOutcome } from '../flows/types';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';
import { capacityFor, type Capacities } from '../contracts/fault-profile';
import { CAPACITY_ROUTE } from '../contracts/capacity';
import type { HttpDeps } from './http';

/** A flow that a stress run started and whose result it has not yet had. */
export interface FlowInFlight {
  workflowId: string;
  index: number;
  /** Its scheduled start (workflow ms, open model), carried so its response time survives continue-as-new. */
  scheduledFor?: number;
}

export interface CollectedFlow {
  workflowId: string;
  outcome: FlowOutcome;
}

// How long one collect call waits for a first flow to close before it answers empty (the run then asks again).
const COLLECT_WAIT_MS = 5 * 60_000;
// After the first flow closes, others closing within this window come back in the same answer.
const COLLECT_BATCH_MS = 250;

/**
 * Sets every service process's capacity to the run's profile (unlimited where it names none). A service
 * without the admin route (a real deployment) is left as it is when it has nothing to set.
 */
async function applyCapacity(
  deps: HttpDeps,
  capacity: Capacities | undefined,
): Promise<Partial<Record<ServiceName, string>>> {
  const applied: Partial<Record<ServiceName, string>> = {};
  for (const name of SERVICE_NAMES) {
    const limit = capacityFor({ capacity }, name);
    let res;
    try {
      res = await request(`${deps.services[name]}${CAPACITY_ROUTE}`, {
        method: 'PUT',
        dispatcher: deps.agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ capacity: limit }),
        headersTimeout: 10_000,
      });
    } catch (err) {
      // A service that is down starts again with its own profile's capacity: only a limit to set must wait.
      if (!limit) continue;
      throw err;
    }
    const text = await res.body.text();
    if (res.statusCode === 404 && !limit) continue;
    if (res.statusCode !== 200) {
      throw ApplicationFailure.create({
        message: `${name} refused its capacity (${res.statusCode}): ${text.slice(0, 200)}`,
        type: res.statusCode === 400 || res.statusCode === 404 ? 'InvalidInput' : 'ServiceUnavailable',
        nonRetryable: res.statusCode === 400 || res.statusCode === 404,
      });
    }
    applied[name] = limit ? `${limit.max_in_work} in work, ${limit.max_waiting} waiting` : 'unlimited';
  }
  return applied;
}

/** A flow's outcome once it closes (a failed one if it did not complete); undefined if the wait was cancelled. */
async function closedOutcome(ctx: Context, client: Context['client'], workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return (await handle.result()) as FlowOutcome;
  } catch (err) {
    if (ctx.cancellationSignal.aborted) return undefined;
    const d = await handle.describe().catch(() => undefined);
    const duration_ms = d?.closeTime ? d.closeTime.getTime() - d.startTime.getTime() : 0;
    return workflowFailedOutcome(duration_ms, String(err));
  }
}

/**
 * Waits for flows started by an earlier run of the parent (before it continued as new) and answers those
 * that have closed, as soon as one has; empty when none closed within the wait.
 */
async function collectFlows(flows: FlowInFlight[]): Promise<CollectedFlow[]> {
  const ctx = Context.current();
  const client = ctx.client;
  const heartbeat = setInterval(() => ctx.heartbeat(), 1000);
  const closed: CollectedFlow[] = [];
  let firstClosed: () => void = () => undefined;
  const anyClosed = new Promise<void>((resolve) => (firstClosed = resolve));
  const one = async (flow: FlowInFlight) => {
    const outcome = await closedOutcome(ctx, client, flow.workflowId);
    if (!outcome) return;
    closed.push({ workflowId: flow.workflowId, outcome });
    firstClosed();
  };
  try {
    const waits = flows.map((f) => one(f));
    const cancelled = new Promise<void>((resolve) => ctx.cancellationSignal.addEventListener('abort', () => resolve()));
    const timedOut = new Promise<void>((resolve) => setTimeout(resolve, COLLECT_WAIT_MS).unref());
    await Promise.race([anyClosed, cancelled, timedOut]);
    if (closed.length) await Promise.race([new Promise((r) => setTimeout(r, COLLECT_BATCH_MS)), Promise.all(waits)]);
    return [...closed];
  } finally {
    clearInterval(heartbeat);
  }
}

/** Load shaping's activities: setting the services' capacity, and collecting flows a previous run started. */
export function createLoadActivities(deps: HttpDeps) {
  return {
    apply_capacity: (capacity: Capacities | undefined) => applyCapacity(deps, capacity),
    collect_flows: (flows: FlowInFlight[]) => collectFlows(flows),
  };
}
