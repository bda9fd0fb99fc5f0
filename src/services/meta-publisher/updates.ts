import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  adSetUpdateBody,
  adUpdateBody,
  ID_FORMS,
  META_ERRORS,
  META_PUBLISHER_ROUTES as ROUTES,
} from '../../contracts/meta-publisher';
import { inTransaction } from '../../db/helpers';
import { realInterval } from '../shared/platform-time';
import type { ServiceContext } from '../shared/server';
import { paramsOf } from '../shared/serve';
import { HttpError, parseOr400 } from '../shared/validation';
import { countCall, META_LIMITS } from './call-limit';
import { priorWrite, recordWrite } from './meta-requests';
import { adRow, adSetRow, recentBudgetChanges, setAdSetBudget, setAdSetStatus, updateAd } from './object-store';
import { oauthException, userLimitReached } from './oauth-error';

/** What one update call carries: the object, the caller's key and the request (for its time scale). */
interface Update {
  ctx: ServiceContext;
  request: FastifyRequest;
  reply: FastifyReply;
  objectId: string;
  key: string;
}

/** An ad's creative or status. */
async function updateAdObject({ ctx, request, reply, objectId, key }: Update) {
  const body = parseOr400(adUpdateBody, request.body);
  return inTransaction(ctx.pool, async (db) => {
    const ad = await adRow(db, objectId);
    const done = await priorWrite(db, key);
    if (done) return done;
    if (await countCall(db, reply, ad.ad_account_id, request.sim.timeScale)) return userLimitReached(reply);
    await updateAd(db, objectId, body.creative, body.status);
    const answer = { success: true, id: objectId };
    const before = body.creative ? { creative: ad.creative } : { status: ad.status };
    const kind = body.creative ? 'creative_swap' : 'status_update';
    await recordWrite(db, key, kind, objectId, ad.ad_account_id, before, answer);
    return answer;
  });
}

/** An ad set's status, or its budget (with the split over its ads) within Meta's budget changes per hour. */
async function updateAdSetObject({ ctx, request, reply, objectId, key }: Update) {
  const body = parseOr400(adSetUpdateBody, request.body);
  return inTransaction(ctx.pool, async (db) => {
    const row = await adSetRow(db, body.seed, objectId);
    const done = await priorWrite(db, key);
    if (done) return done;
    if (await countCall(db, reply, row.ad_account_id, request.sim.timeScale)) return userLimitReached(reply);
    if (body.status) {
      await setAdSetStatus(db, objectId, body.status);
      const answer = { success: true, id: objectId, status: body.status };
      await recordWrite(db, key, 'status_update', objectId, row.ad_account_id, { status: row.status }, answer);
      return answer;
    }
    const recent = await recentBudgetChanges(db, objectId, realInterval(1, request.sim.timeScale));
    if (recent >= META_LIMITS.budgetChangesPerAdSetHour) {
      return oauthException(reply, META_ERRORS.budgetTooOften.message, META_ERRORS.budgetTooOften.code);
    }
    const budget = body.daily_budget as number;
    await setAdSetBudget(db, key, objectId, row, budget, body.ad_split);
    const answer = { success: true, id: objectId, daily_budget: budget };
    const before = { daily_budget: Number(row.daily_budget) };
    await recordWrite(db, key, 'budget_update', objectId, row.ad_account_id, before, answer);
    return answer;
  });
}

/**
 * The update handler for one object, idempotent by the Idempotency-Key header: an ad set's budget (with the split
 * over its ads) or status, or an ad's creative or status. Each counts against the account's calls.
 */
export function updateHandler(ctx: ServiceContext) {
  return async function update(request: FastifyRequest, reply: FastifyReply) {
    const { objectId } = paramsOf(ROUTES.update, request);
    const isAdSet = ID_FORMS.adSet.test(objectId);
    if (!isAdSet && !ID_FORMS.ad.test(objectId))
      throw new HttpError(400, 'bad_request', `path: objectId: no object id of that format: ${objectId}`, 'objectId');
    const key = ctx.idempotencyKey(request);
    const call = { ctx, request, reply, objectId, key };
    return isAdSet ? updateAdSetObject(call) : updateAdObject(call);
  };
}
