import path from 'node:path';
import { z } from 'zod';
import { SERVICE_NAMES, SERVICES, serviceUrlEnvName, type ServiceName } from './services/catalog';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DATA_DIR = path.resolve(process.env.GEMINIVIDEO_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'));
export const STACK_FILE = path.join(DATA_DIR, 'stack.json');
export const TASK_QUEUE = process.env.TEMPORAL_TASK_QUEUE ?? 'geminivideo-sim';

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
});

/** Where the run's pieces live; read from the environment once, validated. */
export interface Endpoints {
  temporalAddress: string;
  namespace: string;
  /** The Temporal Web UI, when known: TEMPORAL_UI_URL, or the local stack's own. */
  temporalUiUrl?: string;
  databaseUrl?: string;
  services: Record<ServiceName, string>;
}

/** A bad environment variable: the CLI and the worker print this line alone. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`bad environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, env[serviceUrlEnvName(name)] ?? `http://127.0.0.1:${SERVICES[name].port}`]),
  ) as Record<ServiceName, string>;
  return {
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    temporalUiUrl: e.TEMPORAL_UI_URL,
    databaseUrl: e.DATABASE_URL,
    services,
  };
}

/** The environment variables that point a process at these endpoints. */
export function endpointsToEnv(endpoints: Endpoints): Record<string, string> {
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    TEMPORAL_NAMESPACE: endpoints.namespace,
  };
  if (endpoints.temporalUiUrl) env.TEMPORAL_UI_URL = endpoints.temporalUiUrl;
  if (endpoints.databaseUrl) env.DATABASE_URL = endpoints.databaseUrl;
  for (const name of SERVICE_NAMES) env[serviceUrlEnvName(name)] = endpoints.services[name];
  return env;
}
