import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PoolClient } from 'pg';
import type { z } from 'zod';
import {
  adBody,
  adSetBody,
  campaignBody,
  META_PUBLISHER_ROUTES as ROUTES,
  type WriteKind,
} from '../../contracts/meta-publisher';
import { hashSeed } from '../../stats/random';
import { inTransaction } from '../../db/helpers';
import type { ServiceContext } from '../shared/server';
import { paramsOf, serve } from '../shared/serve';
import { HttpError, parseOr400 } from '../shared/validation';
import { countCall } from './call-limit';
import { adSetAccount } from './change-refs';
import { recordWrite } from './meta-requests';
import { userLimitReached } from './oauth-error';

/** What creating one kind of object takes: its body, where an earlier attempt's object is found, its insert. */
interface Edge<B extends z.ZodType> {
  route: (typeof ROUTES)['createCampaign' | 'createAdSet' | 'createAd'];
  kind: WriteKind;
  body: B;
  /** Finds the object an earlier attempt created, by its idempotency key. */
  lookup: string;
  insert(db: PoolClient, account: string, id: string, key: string, body: z.infer<B>): Promise<void>;
}
const edge = <B extends z.ZodType>(e: Edge<B>) => e;

async function insertCampaign(
  db: PoolClient,
  account: string,
  id: string,
  key: string,
  b: z.infer<typeof campaignBody>,
) {
  await db.query(
    `INSERT INTO meta_campaigns (id, idempotency_key, ad_account_id, name, objective, status) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, key, account, b.name, b.objective, b.status],
  );
}

async function insertAdSet(db: PoolClient, account: string, id: string, key: string, b: z.infer<typeof adSetBody>) {
  const campaign = await db.query('SELECT ad_account_id FROM meta_campaigns WHERE id = $1', [b.campaign_id]);
  if (campaign.rows[0]?.ad_account_id !== account)
    throw new HttpError(400, 'bad_request', `campaign_id: no campaign ${b.campaign_id} in ${account}`, 'campaign_id');
  await db.query(
    `INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget, campaign_id, idempotency_key) VALUES ($1, $2, $3, $4, $5)`,
    [id, account, b.daily_budget, b.campaign_id, key],
  );
}

async function insertAd(db: PoolClient, account: string, id: string, key: string, b: z.infer<typeof adBody>) {
  const owner = await adSetAccount(db, b.adset_id);
  if (owner !== account)
    throw new HttpError(400, 'bad_request', `adset_id: no ad set ${b.adset_id} in ${account}`, 'adset_id');
  await db.query(
    `INSERT INTO meta_ads (id, idempotency_key, ad_account_id, ad_set_id, name, creative, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, key, account, b.adset_id, b.name, JSON.stringify(b.creative), b.status],
  );
}

const EDGES = {
  campaigns: edge({
    route: ROUTES.createCampaign,
    kind: 'campaign',
    body: campaignBody,
    lookup: 'SELECT id FROM meta_campaigns WHERE idempotency_key = $1',
    insert: insertCampaign,
  }),
  adsets: edge({
    route: ROUTES.createAdSet,
    kind: 'ad_set',
    body: adSetBody,
    lookup: 'SELECT ad_set_id AS id FROM meta_ad_sets WHERE idempotency_key = $1',
    insert: insertAdSet,
  }),
  ads: edge({
    route: ROUTES.createAd,
    kind: 'ad',
    body: adBody,
    lookup: 'SELECT id FROM meta_ads WHERE idempotency_key = $1',
    insert: insertAd,
  }),
};

/** A Graph-style numeric id that is stable for one idempotency key (a retry gets the same object). */
const graphId = (kind: string, key: string) => `${hashSeed(`${kind}:${key}`)}${hashSeed(`${key}:${kind}`) % 100_000}`;

/** The handler that creates one kind of object under an ad account. */
function createObject(ctx: ServiceContext, name: keyof typeof EDGES) {
  const e: Edge<z.ZodType> = EDGES[name];
  return async function create(request: FastifyRequest, reply: FastifyReply) {
    const { adSetId: account } = paramsOf(e.route, request);
    const body = parseOr400(e.body, request.body);
    const key = ctx.idempotencyKey(request);
    return inTransaction(ctx.pool, async (db) => {
      // Two attempts in flight with one key (a retry after a timeout) wait for each other here, so the
      // second finds the first's object instead of counting a second call and hitting the unique key.
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      const done = await db.query(e.lookup, [key]);
      if (done.rowCount) return { id: done.rows[0].id as string };
      if (await countCall(db, reply, account, request.sim.timeScale)) return userLimitReached(reply);
      const id = name === 'adsets' ? `${account}_as${graphId(name, key)}` : graphId(name, key);
      await e.insert(db, account, id, key, body);
      await recordWrite(db, key, e.kind, id, account, null, { id });
      return { id };
    });
  };
}

/**
 * Creation under an ad account: campaigns, ad sets (ids `act_<n>_as<digits>`, so budget updates reach them)
 * and ads. Each is idempotent by the Idempotency-Key header and counts against the account's call limit.
 */
export function registerCreation(app: FastifyInstance, ctx: ServiceContext): void {
  for (const name of Object.keys(EDGES) as Array<keyof typeof EDGES>) {
    serve(app, EDGES[name].route, createObject(ctx, name));
  }
}
