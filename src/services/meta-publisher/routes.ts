import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../shared/db-helpers';
import { notFound, parseOr400 } from '../shared/validation';
import { realMs } from '../shared/platform-time';
import { registerGraphApi } from './graph-api';

const queueSchema = z.object({
  ad_account_id: z.string().regex(/^act_\d+$/, 'must look like act_<digits>'),
  ad_set_id: z.string().min(1).max(100),
  change_type: z.enum(['create_ad', 'budget_update', 'status_update', 'creative_swap']),
  payload: z.record(z.string(), z.unknown()),
  campaign_id: z.string().uuid().optional(),
});
const idParams = z.object({ id: z.string().uuid() });

export function registerMetaPublisher(app: FastifyInstance, ctx: ServiceContext): void {
  registerGraphApi(app, ctx);

  /** Queues a change for the SafeExecutor; the same idempotency key never queues twice. */
  app.post('/safe-executor/changes', async (request, reply) => {
    const body = parseOr400(queueSchema, request.body);
    const key = ctx.idempotencyKey(request);
    // Jitter of 3-18 s of platform time before the executor may apply it, so changes never land in lockstep.
    const jitterMs = realMs((3 + 15 * ctx.rng()) * 1000, request.sim.timeScale);
    const { row, created } = await insertOnce<{ id: string; status: string }>(
      ctx.pool,
      'pending_ad_changes',
      key,
      `INSERT INTO pending_ad_changes
         (idempotency_key, ad_account_id, campaign_id, ad_set_id, change_type, payload, time_scale, faults, earliest_execute_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9 * interval '1 millisecond')
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        body.ad_account_id,
        body.campaign_id ?? null,
        body.ad_set_id,
        body.change_type,
        JSON.stringify(body.payload),
        request.sim.timeScale,
        JSON.stringify(request.sim.faults),
        jitterMs,
      ],
    );
    return reply.code(created ? 201 : 200).send({ change_id: row.id, status: row.status, created });
  });

  app.get('/safe-executor/changes/:id', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT * FROM pending_ad_changes WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`change ${id}`);
    return found.rows[0];
  });
}
