import { z } from 'zod';
import { serviceFaultsSchema, type ServiceFaults } from './fault-profile';

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

const timeScaleSchema = z.coerce.number().positive().max(1000);
const drawSchema = z.string().min(1).max(300);

/** Reads the per-request overrides, falling back to the service's own settings when absent or malformed. */
export function readSimHeaders(
  headers: Record<string, string | string[] | undefined>,
  fallback: { faults: ServiceFaults; timeScale: number },
): { faults: ServiceFaults; timeScale: number; draw?: string } {
  const rawFaults = headers[SIM_HEADERS.faults];
  const rawScale = headers[SIM_HEADERS.timeScale];
  let faults = fallback.faults;
  if (typeof rawFaults === 'string') {
    try {
      const parsed = serviceFaultsSchema.safeParse(JSON.parse(rawFaults));
      if (parsed.success) faults = parsed.data;
    } catch {
      // a malformed header is ignored: faults are a test aid, not part of the request
    }
  }
  const scale = typeof rawScale === 'string' ? timeScaleSchema.safeParse(rawScale) : undefined;
  const draw = drawSchema.safeParse(headers[SIM_HEADERS.draw]);
  return {
    faults,
    timeScale: scale?.success ? scale.data : fallback.timeScale,
    ...(draw.success ? { draw: draw.data } : {}),
  };
}
