import { serviceFaultsSchema, type ServiceFaults } from '../../contracts/fault-profile';
import { drawSchema, SIM_HEADERS, timeScaleSchema } from '../../contracts/sim-headers';

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
