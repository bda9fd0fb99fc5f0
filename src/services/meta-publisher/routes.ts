import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { changeSchema } from './change-schema';
import { refProblem } from './change-refs';
import { realInterval, realMs } from '../shared/platform-time';
import { registerGraphApi } from './graph-api';

const idParams = z.object({ id: z.string().uuid() });

export function registerMetaPublisher(app: FastifyInstance, ctx: ServiceContext): void {
  registerGraphApi(app, ctx);

  /**
   * Queues a change for the SafeExecutor; the same idempotency key never queues twice. Its ids must be canonical,
   * exist and belong together (the ad set to the account), else 400 naming the field and nothing is queued.
   */
  app.post('/safe-executor/changes', async (request, reply) => {
    const body = parseOr400(changeSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const problem = await refProblem(ctx.pool, body);
    if (problem) throw new HttpError(400, 'bad_request', `body: ${problem.field}: ${problem.message}`, problem.field);
    // Jitter of 3-18 s of platform time before the executor may apply it, so changes never land in lockstep.
    const jitterSeconds = 3 + 15 * ctx.rng();
    const jitterMs = realMs(jitterSeconds * 1000, request.sim.timeScale);
    const { row, created } = await insertOnce<{ id: string; status: string }>(
      ctx.pool,
      'pending_ad_changes',
      key,
      `INSERT INTO pending_ad_changes
         (idempotency_key, ad_account_id, campaign_id, ad_set_id, change_type, payload, time_scale, faults, earliest_execute_at,
          jitter_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9 * interval '1 millisecond', $10)
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
        jitterSeconds,
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

  /**
   * What the executor did with a change and what its rules look like around it: the jitter it waited, the
   * budget it applied against the one requested and the velocity range, the most changes the account saw in
   * any sliding platform hour around it, and the ad set's budget spread within the 6 hours before it.
   */
  app.get('/safe-executor/changes/:id/audit', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query(
      `SELECT c.id, c.status, c.change_type, c.ad_account_id, c.ad_set_id, c.time_scale, c.jitter_seconds, c.attempts,
              c.last_error, extract(epoch FROM (c.executed_at - c.created_at)) * 1000 AS waited_ms,
              extract(epoch FROM (c.earliest_execute_at - c.created_at)) * 1000 AS planned_ms, c.executed_at,
              h.rules, h.new_value, h.old_value,
              (SELECT count(*)::int FROM ad_change_history x WHERE x.change_id = c.id) AS history_rows
       FROM pending_ad_changes c LEFT JOIN ad_change_history h ON h.change_id = c.id WHERE c.id = $1`,
      [id],
    );
    if (!found.rowCount) throw notFound(`change ${id}`);
    const c = found.rows[0];
    const scale = Number(c.time_scale);
    const platformSeconds = (realMsValue: unknown) =>
      realMsValue === null ? null : Number(realMsValue) / 1000 / scale;
    let accountMaxPerHour = 0;
    let velocitySpread: number | null = null;
    if (c.executed_at) {
      const hour = realInterval(1, scale);
      const rate = await ctx.pool.query(
        `SELECT coalesce(max((SELECT count(*) FROM ad_change_history x WHERE x.ad_account_id = h.ad_account_id
                  AND x.executed_at > h.executed_at - $3::interval AND x.executed_at <= h.executed_at)), 0)::int AS n
         FROM ad_change_history h
         WHERE h.ad_account_id = $1 AND h.executed_at >= $2::timestamptz AND h.executed_at < $2::timestamptz + $3::interval`,
        [c.ad_account_id, c.executed_at, hour],
      );
      accountMaxPerHour = rate.rows[0].n;
      if (c.change_type === 'budget_update') {
        const window = await ctx.pool.query(
          `SELECT (old_value->>'daily_budget')::float AS old, (new_value->>'daily_budget')::float AS new
           FROM ad_change_history WHERE ad_set_id = $1 AND change_type = 'budget_update'
             AND executed_at > $2::timestamptz - $3::interval AND executed_at <= $2::timestamptz ORDER BY executed_at`,
          [c.ad_set_id, c.executed_at, realInterval(6, scale)],
        );
        const budgets = [window.rows[0]?.old, ...window.rows.map((r) => r.new)].filter(
          (b): b is number => typeof b === 'number',
        );
        if (budgets.length) velocitySpread = Math.max(...budgets) / Math.min(...budgets);
      }
    }
    return {
      id: c.id,
      status: c.status,
      change_type: c.change_type,
      ad_account_id: c.ad_account_id,
      ad_set_id: c.ad_set_id,
      attempts: c.attempts,
      last_error: c.last_error,
      jitter_seconds: c.jitter_seconds,
      planned_delay_seconds: platformSeconds(c.planned_ms),
      waited_seconds: platformSeconds(c.waited_ms),
      rules: c.rules ?? null,
      new_value: c.new_value ?? null,
      old_value: c.old_value ?? null,
      history_rows: c.history_rows,
      account_max_changes_per_hour: accountMaxPerHour,
      velocity_spread: velocitySpread,
    };
  });
}
