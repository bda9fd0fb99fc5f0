import { z } from 'zod';
import { changeAudit, changeRow, changeSchema, queuedAnswer } from './meta-publisher-changes';
import {
  accountParams,
  adBody,
  adSetBody,
  appliedWriteSchema,
  campaignBody,
  createdAnswer,
  insightsPage,
  insightsParams,
  insightsQuery,
  metaError,
  objectParams,
  updateAnswer,
  updateBody,
  writeParams,
} from './meta-publisher-graph';
import { route } from './route';
import { errorSchema } from './shared';
import { idempotencyKeySchema, SIM_HEADERS } from './sim-headers';

export * from './meta-publisher-changes';
export * from './meta-publisher-graph';
export { ID_FORMS } from './meta-publisher-ids';

const writeHeaders = z.object({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });
/** A Graph route answers Meta's OAuthException for Meta's limits and an expired token, the simulation's own else. */
const graphErrors = z.union([metaError, errorSchema]);
const usage = 'Answers with X-Business-Use-Case-Usage and X-App-Usage (counted against the account).';
const changeId = z.object({ id: z.string().uuid() });

/** Meta Publisher: the simulated Graph API (v19.0), Meta's record of writes, and the SafeExecutor's queue. */
export const META_PUBLISHER_ROUTES = {
  insights: route({
    method: 'GET',
    path: '/v19.0/:adSetId/insights',
    summary: `Per-ad delivery of an ad set in one market hour, or of a learning cycle's creatives in an account. ${usage}`,
    params: insightsParams,
    query: insightsQuery,
    response: insightsPage,
    errors: graphErrors,
  }),
  createCampaign: route({
    method: 'POST',
    path: '/v19.0/:adSetId/campaigns',
    summary: `Creates a campaign under the ad account (the path's id is the account). ${usage}`,
    params: accountParams,
    headers: writeHeaders,
    body: campaignBody,
    response: createdAnswer,
    errors: graphErrors,
  }),
  createAdSet: route({
    method: 'POST',
    path: '/v19.0/:adSetId/adsets',
    summary: `Creates an ad set in one of the account's campaigns; its id is act_<n>_as<digits>. ${usage}`,
    params: accountParams,
    headers: writeHeaders,
    body: adSetBody,
    response: createdAnswer,
    errors: graphErrors,
  }),
  createAd: route({
    method: 'POST',
    path: '/v19.0/:adSetId/ads',
    summary: `Creates an ad in one of the account's ad sets. ${usage}`,
    params: accountParams,
    headers: writeHeaders,
    body: adBody,
    response: createdAnswer,
    errors: graphErrors,
  }),
  update: route({
    method: 'POST',
    path: '/v19.0/:objectId',
    summary: `Updates an ad set (budget and split, or status; at most 4 budget changes an hour) or an ad. ${usage}`,
    params: objectParams,
    headers: writeHeaders,
    body: updateBody,
    response: updateAnswer,
    errors: graphErrors,
  }),
  write: route({
    method: 'GET',
    path: '/sim/meta/writes/:key',
    summary: 'The write applied under an idempotency key, or 404 (not a Graph path: resolves a lost answer)',
    params: writeParams,
    response: appliedWriteSchema,
  }),
  queueChange: route({
    method: 'POST',
    path: '/safe-executor/changes',
    summary: 'Queues a change for the SafeExecutor (its ids must exist and belong together)',
    headers: writeHeaders,
    body: changeSchema,
    response: queuedAnswer,
    status: [201, 200],
  }),
  change: route({
    method: 'GET',
    path: '/safe-executor/changes/:id',
    summary: "A queued change's row",
    params: changeId,
    response: changeRow,
  }),
  audit: route({
    method: 'GET',
    path: '/safe-executor/changes/:id/audit',
    summary: 'What the executor did with a change, and its rules around it (jitter, velocity, hourly rate)',
    params: changeId,
    response: changeAudit,
  }),
};
