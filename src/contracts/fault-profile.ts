import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';
import { capacitySchema, type Capacity } from './capacity';

/** Latency of one call, in platform milliseconds. */
const latencySchema = z.discriminatedUnion('distribution', [
  z.object({ distribution: z.literal('fixed'), ms: z.number().nonnegative() }),
  z.object({ distribution: z.literal('uniform'), min_ms: z.number().nonnegative(), max_ms: z.number().nonnegative() }),
  z.object({ distribution: z.literal('lognormal'), p50_ms: z.number().positive(), p95_ms: z.number().positive() }),
]);
export type Latency = z.infer<typeof latencySchema>;

const rate = z.number().min(0).max(1);

export const serviceFaultsSchema = z
  .object({
    latency: latencySchema,
    /** Share of calls answered 503 before any work is done. */
    error_rate: rate,
    /** Share of calls whose work is done but whose answer never comes (the caller times out). */
    timeout_rate: rate,
    /** Share of calls answered 429 with Retry-After. */
    rate_limit_rate: rate,
    retry_after_seconds: z.number().positive(),
    /** Share of the simulated Meta's Graph calls refused for an expired access token (OAuthException code 190). */
    auth_error_rate: rate.optional(),
  })
  .strict()
  .refine((f) => f.error_rate + f.timeout_rate + f.rate_limit_rate <= 1, {
    message: 'error_rate + timeout_rate + rate_limit_rate must not exceed 1',
  });
export type ServiceFaults = z.infer<typeof serviceFaultsSchema>;

const serviceOverrides = z.object(
  Object.fromEntries(SERVICE_NAMES.map((n) => [n, serviceFaultsSchema.optional()])) as Record<
    ServiceName,
    z.ZodOptional<typeof serviceFaultsSchema>
  >,
);

const capacities = z
  .object(
    Object.fromEntries(SERVICE_NAMES.map((n) => [n, capacitySchema.optional()])) as Record<
      ServiceName,
      z.ZodOptional<typeof capacitySchema>
    >,
  )
  .strict();
/** Each service process's capacity, by service; a service without one is unlimited. */
export type Capacities = z.infer<typeof capacities>;

export const faultProfileSchema = z
  .object({
    name: z.string().min(1),
    defaults: serviceFaultsSchema,
    services: serviceOverrides.strict().default({}),
    capacity: capacities.optional(),
  })
  .strict();
export type FaultProfile = z.infer<typeof faultProfileSchema>;

/** No latency and no faults: a call answers at once, every time. */
export const QUIET_FAULTS: ServiceFaults = {
  latency: { distribution: 'fixed', ms: 0 },
  error_rate: 0,
  timeout_rate: 0,
  rate_limit_rate: 0,
  retry_after_seconds: 1,
};

/** Latencies of a healthy platform, in platform time; rare faults. */
const typical = (p50_ms: number, p95_ms: number): ServiceFaults => ({
  latency: { distribution: 'lognormal', p50_ms, p95_ms },
  error_rate: 0.01,
  timeout_rate: 0.002,
  rate_limit_rate: 0.005,
  retry_after_seconds: 2,
});

const DEFAULT_SERVICES = {
  gateway: typical(15, 40),
  'drive-intel': typical(1200, 3500),
  'video-agent': typical(6000, 15000),
  'meta-publisher': typical(400, 1200),
  'ml-service': typical(250, 800),
  'titan-core': typical(2500, 6000),
};

export const BUILT_IN_PROFILES: Record<string, FaultProfile> = {
  none: { name: 'none', defaults: QUIET_FAULTS, services: {} },
  default: { name: 'default', defaults: typical(200, 600), services: DEFAULT_SERVICES },
  chaos: {
    name: 'chaos',
    defaults: typical(300, 1500),
    services: Object.fromEntries(
      Object.entries(DEFAULT_SERVICES).map(([name, f]) => [
        name,
        { ...f, error_rate: 0.12, timeout_rate: 0.03, rate_limit_rate: 0.05, retry_after_seconds: 3 },
      ]),
    ),
  },
};

/** The faults one service applies under a profile. */
export function faultsFor(profile: FaultProfile, service: ServiceName): ServiceFaults {
  return profile.services[service] ?? profile.defaults;
}

/** The capacity one service process has under a profile; null is unlimited. */
export function capacityFor(profile: Pick<FaultProfile, 'capacity'>, service: ServiceName): Capacity | null {
  return profile.capacity?.[service] ?? null;
}
