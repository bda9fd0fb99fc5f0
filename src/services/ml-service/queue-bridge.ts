import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import { z } from 'zod';
import { endpointsFromEnv } from '../../config';
import type { ServiceContext } from '../shared/server';
import { encodeFaults, SIM_HEADERS } from '../../contracts/sim-headers';
import { HttpError, parseOr400 } from '../shared/validation';

const statusChangeSchema = z.object({
  ad_account_id: z.string().regex(/^act_\d+$/, 'must look like act_<digits>'),
  ad_set_id: z.string().min(1).max(100),
  action: z.enum(['pause', 'activate']),
  reason: z.string().min(1).max(300),
});

/**
 * The ML Service's producer side of the SafeExecutor queue: a status decision goes to the Meta Publisher's
 * queue under the caller's idempotency key, so a redelivered decision is queued once.
 */
export function registerQueueBridge(app: FastifyInstance, ctx: ServiceContext): void {
  const metaPublisher = endpointsFromEnv().services['meta-publisher'];

  app.post('/queue-bridge/status-changes', async (request, reply) => {
    const body = parseOr400(statusChangeSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const res = await httpRequest(`${metaPublisher}/safe-executor/changes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIM_HEADERS.idempotencyKey]: key,
        [SIM_HEADERS.timeScale]: String(request.sim.timeScale),
        [SIM_HEADERS.faults]: encodeFaults(request.sim.faults),
      },
      body: JSON.stringify({
        ad_account_id: body.ad_account_id,
        ad_set_id: body.ad_set_id,
        change_type: 'status_update',
        payload: { status: body.action === 'pause' ? 'PAUSED' : 'ACTIVE', reason: body.reason, source: 'ml-service' },
      }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    }).catch((err: Error) => {
      throw new HttpError(502, 'bad_gateway', `meta-publisher: ${err.message}`);
    });
    const text = await res.body.text();
    // The queue's own refusals (bad input) are the caller's; its outages are passed on as retryable.
    if (res.statusCode >= 500)
      throw new HttpError(502, 'queue_unavailable', `meta-publisher answered ${res.statusCode}`);
    return reply.code(res.statusCode).header('content-type', 'application/json').send(text);
  });
}
