import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { META_PUBLISHER_ROUTES as ROUTES } from '../../contracts/meta-publisher';
import type { ServiceContext } from '../shared/server';
import { bodyOf, paramsOf, serve } from '../shared/serve';
import { HttpError, notFound } from '../shared/validation';
import { realMs } from '../shared/platform-time';
import { refProblem } from './change-refs';
import { accountMaxPerHour, budgetsBefore, changeWithHistory, findChange, queueChange } from './change-store';
import { registerGraphApi } from './graph-api';

/**
 * Queues a change for the SafeExecutor; the same idempotency key never queues twice. Its ids must be canonical,
 * exist and belong together (the ad set to the account), else 400 naming the field and nothing is queued.
 */
function queueChangeHandler(ctx: ServiceContext) {
  return async function queue(request: FastifyRequest, reply: FastifyReply) {
    const change = bodyOf(ROUTES.queueChange, request);
    const key = ctx.idempotencyKey(request);
    const problem = await refProblem(ctx.pool, change);
    if (problem) throw new HttpError(400, 'bad_request', `body: ${problem.field}: ${problem.message}`, problem.field);
    // Jitter of 3-18 s of platform time before the executor may apply it, so changes never land in lockstep.
    const jitterSeconds = 3 + 15 * ctx.rng();
    const jitterMs = realMs(jitterSeconds * 1000, request.sim.timeScale);
    const { timeScale, faults } = request.sim;
    const { row, created } = await queueChange(ctx.pool, { key, change, timeScale, faults, jitterMs, jitterSeconds });
    return reply.code(created ? 201 : 200).send({ change_id: row.id, status: row.status, created });
  };
}

/** The queue's row of one change. */
function changeHandler(ctx: ServiceContext) {
  return async function change(request: FastifyRequest) {
    const { id } = paramsOf(ROUTES.change, request);
    const row = await findChange(ctx.pool, id);
    if (!row) throw notFound(`change ${id}`);
    return row;
  };
}

/**
 * What the executor did with a change and what its rules look like around it: the jitter it waited, the
 * budget it applied against the one requested and the velocity range, the most changes the account saw in
 * any sliding platform hour around it, and the ad set's budget spread within the 6 hours before it.
 */
function auditHandler(ctx: ServiceContext) {
  return async function audit(request: FastifyRequest) {
    const { id } = paramsOf(ROUTES.audit, request);
    const c = await changeWithHistory(ctx.pool, id);
    if (!c) throw notFound(`change ${id}`);
    const scale = Number(c.time_scale);
    const platformSeconds = (realMsValue: unknown) =>
      realMsValue === null ? null : Number(realMsValue) / 1000 / scale;
    let maxPerHour = 0;
    let velocitySpread: number | null = null;
    if (c.executed_at) {
      maxPerHour = await accountMaxPerHour(ctx.pool, c.ad_account_id, c.executed_at, scale);
      if (c.change_type === 'budget_update') {
        const budgets = await budgetsBefore(ctx.pool, c.ad_set_id, c.executed_at, scale);
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
      account_max_changes_per_hour: maxPerHour,
      velocity_spread: velocitySpread,
    };
  };
}

/** Meta Publisher: the simulated Graph API and the SafeExecutor's queue. */
export function registerMetaPublisher(app: FastifyInstance, ctx: ServiceContext): void {
  registerGraphApi(app, ctx);
  serve(app, ROUTES.queueChange, queueChangeHandler(ctx));
  serve(app, ROUTES.change, changeHandler(ctx));
  serve(app, ROUTES.audit, auditHandler(ctx));
}
