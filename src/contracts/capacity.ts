import { z } from 'zod';
import { route } from './route';

/** Where a service process's capacity is read and set while it runs. */
export const CAPACITY_ROUTE = '/admin/capacity';

/**
 * How much one service process takes at once: `max_in_work` requests are worked on, up to `max_waiting` more
 * wait their turn in arrival order (so latency grows with the queue), and a request past both is refused at once.
 */
export const capacitySchema = z
  .object({
    max_in_work: z.number().int().min(1).max(100_000),
    max_waiting: z.number().int().min(0).max(1_000_000),
    /** How an overloaded service refuses: 503, or 429 with Retry-After. */
    overflow: z.enum(['503', '429']).default('503'),
    /** Retry-After of a 429 refusal, in platform seconds. */
    retry_after_seconds: z.number().positive().max(3600).default(1),
  })
  .strict();
export type Capacity = z.infer<typeof capacitySchema>;

/** What the admin endpoint takes: a capacity, or null for unlimited (the behaviour without one). */
export const capacityBodySchema = z.object({ capacity: capacitySchema.nullable() }).strict();

/** What the admin endpoint answers: the capacity and the process's gate now. */
export const capacityStateSchema = z.object({
  capacity: capacitySchema.nullable(),
  in_work: z.number().int(),
  waiting: z.number().int(),
  peak_in_work: z.number().int(),
  refused: z.number().int(),
});

/** The capacity admin routes every service serves. */
export const CAPACITY_ROUTES = {
  readCapacity: route({
    method: 'GET',
    path: CAPACITY_ROUTE,
    summary: "The process's capacity and how many requests are in work and waiting",
    response: capacityStateSchema,
  }),
  setCapacity: route({
    method: 'PUT',
    path: CAPACITY_ROUTE,
    summary: "Sets the process's capacity while it runs (null: unlimited)",
    body: capacityBodySchema,
    response: capacityStateSchema,
  }),
};
