import { workflowInfo } from '@temporalio/workflow';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { SERVICE_NAMES } from '../services/catalog';
import { hashSeed } from '../stats/random';
import { StepRecorder } from './steps';

const UPSTREAMS = SERVICE_NAMES.filter((s) => s !== 'gateway');
/**
 * The platform's service-to-service paths through the Gateway: routing to every service, the ML Service
 * queueing a decision for the Meta Publisher, a signed HubSpot webhook to the ML Service, the Gateway's
 * circuit breaker (tripped, failing fast, probed closed after a durable wait) and its retry backoff.
 * Breaker and backoff steps use a breaker of their own (scoped by their key) against one upstream, chosen
 * by the flow's index, so concurrent flows never trip each other's breakers.
 */
export async function serviceCommunication(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('service-communication', input);
  const id = workflowInfo().workflowId;
  const upstream = UPSTREAMS[input.index % UPSTREAMS.length];
  steps.refs.upstream = upstream;

  return steps.guard(async () => {
    // One call per upstream, each retried on its own.
    await steps.run('gateway_routing', async (step) => {
      for (const target of UPSTREAMS) await step.call('gateway_routing', step.ctx('gateway'), { upstream: target });
      return UPSTREAMS.length;
    });

    // An account and ad set of the flow's own: its queue row touches no one else's limits.
    const queued = await steps.call('ml_to_meta_queue', {
      ad_account_id: `act_${9_000_000_000 + hashSeed(id)}`,
      ad_set_id: `sc_${id}`,
    });
    steps.refs.change_id = queued.change_id;

    const deal = {
      ad_id: `sc_${id}_ad`,
      deal_id: hashSeed(`deal:${id}`),
      amount: 100 + (input.index % 50),
      occurred_at: Date.now(),
    };
    await steps.run('hubspot_to_ml_webhook', async (step) => {
      const [gw, ml] = step.contexts();
      const signed = await step.call('hubspot_to_ml_webhook', gw, ml, deal);
      await step.call('hubspot_forged_webhook', gw, ml, deal);
      return signed;
    });

    const breaker = await steps.run('circuit_breaker', async (step) => {
      const ctx = step.ctx('gateway');
      const trip = await step.call('circuit_breaker_trip', ctx, { upstream });
      // Durable wait for the open period the Gateway announced (a minute of platform time).
      await step.sleep(Math.max(1, trip.open_ms));
      const probe = await step.call('circuit_breaker_probe', ctx, { upstream });
      return { ...trip, states: [...trip.states, probe.before, probe.after] };
    });
    steps.refs.breaker_states = breaker.states.join('>');

    const backoff = await steps.call('retry_backoff', { upstream });
    steps.refs.backoff_ms = backoff.planned_ms.map((d) => d.toFixed(1)).join(',');
    return steps.outcome('completed');
  });
}
