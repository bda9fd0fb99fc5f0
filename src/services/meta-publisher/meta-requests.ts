import type { FastifyInstance } from 'fastify';
import type { PoolClient } from 'pg';
import { META_PUBLISHER_ROUTES as ROUTES, type WriteKind } from '../../contracts/meta-publisher';
import type { ServiceContext } from '../shared/server';
import { paramsOf, serve } from '../shared/serve';
import { notFound } from '../shared/validation';

/** Records a write in the transaction that applied it, so the record exists exactly when the write does. */
export async function recordWrite(
  db: PoolClient,
  key: string,
  kind: WriteKind,
  objectId: string,
  account: string,
  before: Record<string, unknown> | null,
  response: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `INSERT INTO meta_requests (idempotency_key, kind, object_id, ad_account_id, before, response)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [key, kind, objectId, account, before === null ? null : JSON.stringify(before), JSON.stringify(response)],
  );
}

/** The answer an earlier attempt with this key got, if it applied. */
export async function priorWrite(db: PoolClient, key: string): Promise<Record<string, unknown> | null> {
  const row = await db.query('SELECT response FROM meta_requests WHERE idempotency_key = $1', [key]);
  return (row.rows[0]?.response as Record<string, unknown>) ?? null;
}

/**
 * The simulation's answer to "did you apply this?": 200 with the write, or 404 when nothing was applied under the
 * key. Not a Meta Graph path: Meta offers no such lookup, the simulated one lets a caller resolve a lost answer.
 */
export function registerWriteLookup(app: FastifyInstance, ctx: ServiceContext): void {
  serve(app, ROUTES.write, async function appliedWrite(request) {
    const { key } = paramsOf(ROUTES.write, request);
    const row = await ctx.pool.query(
      `SELECT idempotency_key, kind, object_id, ad_account_id, before, response, to_json(at) #>> '{}' AS at
       FROM meta_requests WHERE idempotency_key = $1`,
      [key],
    );
    if (!row.rowCount) throw notFound(`write ${key}`);
    return row.rows[0];
  });
}
