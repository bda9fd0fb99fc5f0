import fs from 'node:fs';
import { z } from 'zod';
import { endpointsFromEnv, STACK_FILE, type Endpoints } from '../config';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';

const stackFileSchema = z.object({
  temporalAddress: z.string(),
  temporalNamespace: z.string().default('default'),
  temporalUiUrl: z.string(),
  databaseUrl: z.string().optional(),
  services: z.record(z.string(), z.string()),
  pid: z.number().optional(),
});

/** The addresses a running `npm run stack` wrote, if it is still alive. */
export function readStackFile(file = STACK_FILE): Endpoints | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = stackFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) return undefined;
  const s = parsed.data;
  if (s.pid !== undefined) {
    try {
      process.kill(s.pid, 0);
    } catch {
      return undefined; // the stack that wrote it is gone
    }
  }
  return {
    temporalAddress: s.temporalAddress,
    namespace: s.temporalNamespace,
    temporalUiUrl: s.temporalUiUrl,
    databaseUrl: s.databaseUrl,
    services: Object.fromEntries(SERVICE_NAMES.map((n) => [n, s.services[n]])) as Record<ServiceName, string>,
  };
}

/**
 * Where to connect: TEMPORAL_ADDRESS when set (a user's cluster), else a running `npm run stack`,
 * else the defaults (where the CLI may start a stack of its own).
 */
export function resolveEndpoints(): { endpoints: Endpoints; source: 'env' | 'stack' | 'default' } {
  if (process.env.TEMPORAL_ADDRESS) return { endpoints: endpointsFromEnv(), source: 'env' };
  const stack = readStackFile();
  if (stack) return { endpoints: stack, source: 'stack' };
  return { endpoints: endpointsFromEnv(), source: 'default' };
}
