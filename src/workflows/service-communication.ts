import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { SERVICE_NAMES } from '../services/catalog';
import { hashSeed } from '../stats/random';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
const UPSTREAMS = SERVICE_NAMES.filter((s) => s !== 'gateway');

/**
 * The platform's service-to-service paths through the Gateway: routing to every service, the ML Service
 * queueing a decision for the Meta Publisher, a signed HubSpot webhook to the ML Service, the Gateway's
 * circuit breaker (tripped, failing fast, probed closed after a durable wait) and its retry backoff.
 * Breaker and backoff steps use a breaker of their own (scoped by their key) against one upstream, chosen
 * by the flow's index, so concurrent flows never trip each other's breakers.
 */
export async function serviceCommunication(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const id = workflowInfo().workflowId;
  const upstream = UPSTREAMS[input.index % UPSTREAMS.length];
  steps.refs.upstream = upstream;

  return steps.guard(async () => {
    // One call per upstream, each retried on its own.
    await steps.run('gateway_routing', ATTEMPTS, async () => {
      let attempts = 0;
      for (const target of UPSTREAMS) {
        const routed = await fast.gateway_routing(steps.context('gateway_routing', 'gateway'), { upstream: target });
        attempts += routed.attempt;
      }
      return { value: UPSTREAMS.length, attempt: attempts - UPSTREAMS.length + 1 };
    });

    const queued = await steps.run('ml_to_meta_queue', ATTEMPTS, () =>
      fast.ml_to_meta_queue(
        steps.context('ml_to_meta_queue', 'gateway'),
        steps.context('ml_to_meta_queue', 'ml-service'),
        steps.context('ml_to_meta_queue', 'meta-publisher'),
        // An account and ad set of the flow's own: its queue row touches no one else's limits.
        { ad_account_id: `act_${9_000_000_000 + hashSeed(id)}`, ad_set_id: `sc_${id}` },
      ),
    );
    steps.refs.change_id = queued.change_id;

    const deal = {
      ad_id: `sc_${id}_ad`,
      deal_id: hashSeed(`deal:${id}`),
      amount: 100 + (input.index % 50),
      occurred_at: Date.now(),
    };
    await steps.run('hubspot_to_ml_webhook', ATTEMPTS, async () => {
      const gw = steps.context('hubspot_to_ml_webhook', 'gateway');
      const ml = steps.context('hubspot_to_ml_webhook', 'ml-service');
      const signed = await fast.hubspot_to_ml_webhook(gw, ml, deal);
      const forged = await fast.hubspot_forged_webhook(gw, ml, deal);
      return { value: signed.value, attempt: signed.attempt + forged.attempt - 1 };
    });

    const breaker = await steps.run('circuit_breaker', ATTEMPTS, async () => {
      const ctx = steps.context('circuit_breaker', 'gateway');
      const trip = await fast.circuit_breaker_trip(ctx, { upstream });
      // Durable wait for the open period the Gateway announced (a minute of platform time).
      await sleep(Math.max(1, trip.value.open_ms));
      const probe = await fast.circuit_breaker_probe(ctx, { upstream });
      return {
        value: { ...trip.value, states: [...trip.value.states, probe.value.before, probe.value.after] },
        attempt: trip.attempt + probe.attempt - 1,
      };
    });
    steps.refs.breaker_states = breaker.states.join('>');

    const backoff = await steps.run('retry_backoff', ATTEMPTS, () =>
      fast.retry_backoff(steps.context('retry_backoff', 'gateway'), { upstream }),
    );
    steps.refs.backoff_ms = backoff.planned_ms.map((d) => d.toFixed(1)).join(',');
    return steps.outcome('completed');
  });
}
