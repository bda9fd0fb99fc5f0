import { z } from 'zod';
import { CAPACITY_ROUTES } from './capacity';
import { route } from './route';

/** Where every service serves its OpenAPI document. */
export const OPENAPI_ROUTE = '/openapi.json';

/** The body of every 4xx and 5xx a service answers itself: a code, a message and, for bad input, the field. */
export const errorSchema = z
  .object({
    error: z.string().meta({ description: 'bad_request, not_found, rate_limited, unavailable, overloaded, ...' }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'the request part or field at fault' }),
    retry_after_ms: z.number().optional().meta({ description: "the Gateway's open circuit: when it half-opens" }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorSchema>;

/** A JSON object the contract does not spell out field by field (a stored row, a document). */
export const jsonObject = z.record(z.string(), z.unknown());

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  service: z.string(),
  uptime_seconds: z.number(),
  database: z.object({ reachable: z.boolean(), latency_ms: z.number(), error: z.string().optional() }),
});

/** The routes every service serves beside its own. */
export const SHARED_ROUTES = {
  health: route({
    method: 'GET',
    path: '/health',
    summary: 'Whether the service is up and reaches its database',
    response: healthSchema,
  }),
  metrics: route({
    method: 'GET',
    path: '/metrics',
    summary: "The service's Prometheus metrics",
    response: z.string(),
    contentType: 'text/plain',
  }),
  openApi: route({
    method: 'GET',
    path: OPENAPI_ROUTE,
    summary: "This document: the service's routes, generated from its contract",
    response: jsonObject,
  }),
  ...CAPACITY_ROUTES,
};
