import fs from 'node:fs';
import { z } from 'zod';
import { endpointsFromEnv, STACK_FILE, type Endpoints } from '../config';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';
import { TEMPORAL_PORT } from '../stack/stack';
import { stackFileSchema } from '../stack/stack-file';
import { UsageError } from './errors';

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

const offsetSchema = z.coerce.number().int().min(0).max(50_000);

/** GEMINIVIDEO_PORT_OFFSET: added to every port of the stack the CLI starts, to run one beside another. */
export function localPortOffset(env: NodeJS.ProcessEnv = process.env): number {
  if (!env.GEMINIVIDEO_PORT_OFFSET) return 0;
  const parsed = offsetSchema.safeParse(env.GEMINIVIDEO_PORT_OFFSET);
  if (!parsed.success) {
    throw new UsageError(
      `GEMINIVIDEO_PORT_OFFSET must be a whole number from 0 to 50000, not '${env.GEMINIVIDEO_PORT_OFFSET}'`,
    );
  }
  return parsed.data;
}

/**
 * Where to connect: TEMPORAL_ADDRESS when set (a user's cluster), else a running `npm run stack`,
 * else the local stack's own address (where the CLI may start a stack of its own).
 */
export function resolveEndpoints(): { endpoints: Endpoints; source: 'env' | 'stack' | 'default' } {
  if (process.env.TEMPORAL_ADDRESS) return { endpoints: endpointsFromEnv(), source: 'env' };
  const stack = readStackFile();
  if (stack) return { endpoints: stack, source: 'stack' };
  const local = { ...endpointsFromEnv(), temporalAddress: `127.0.0.1:${TEMPORAL_PORT + localPortOffset()}` };
  return { endpoints: local, source: 'default' };
}
