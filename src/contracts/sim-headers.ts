import { z } from 'zod';
import type { ServiceFaults } from './fault-profile';

/**
 * Headers a caller uses to carry the run's fault profile and time scale to a simulated service.
 * A real deployment ignores them; the simulation applies them per request, so concurrent runs with
 * different profiles share one stack and a restarted service keeps no state about them.
 */
export const SIM_HEADERS = {
  faults: 'x-sim-faults',
  timeScale: 'x-sim-time-scale',
  idempotencyKey: 'idempotency-key',
  /** Seeds this call's latency and fault draws (flows/draws.ts); without it the service's own stream decides. */
  draw: 'x-sim-draw',
} as const;

export function encodeFaults(faults: ServiceFaults): string {
  return JSON.stringify(faults);
}

/** The `x-sim-time-scale` value: real ms per platform ms. */
export const timeScaleSchema = z.coerce.number().positive().max(1000);
/** The `x-sim-draw` value: flow, seed, index, step, attempt and call. */
export const drawSchema = z.string().min(1).max(300);
/** The `idempotency-key` value every write requires. */
export const idempotencyKeySchema = z.string().min(1).max(300);

/** The simulation's request headers as the documents show them: all optional, a real deployment ignores them. */
export const simHeadersSchema = z.object({
  [SIM_HEADERS.faults]: z.string().optional().meta({ description: "the run's fault settings for this service (JSON)" }),
  [SIM_HEADERS.timeScale]: z.string().optional().meta({ description: 'real ms per platform ms' }),
  [SIM_HEADERS.draw]: drawSchema.optional().meta({ description: "seeds this call's latency and fault draws" }),
});

/** Headers of a write: the idempotency key (required) beside the simulation's. */
export const writeHeadersSchema = simHeadersSchema.extend({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });
