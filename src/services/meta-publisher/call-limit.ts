import type { FastifyReply } from 'fastify';
import type { PoolClient } from 'pg';
import { META_USAGE_HEADERS, type AppUsage, type BusinessUseCaseUsage } from '../../contracts/meta-publisher';
import { realInterval } from '../shared/platform-time';

/** Meta's own limits, in platform time: budget changes per ad set per hour, and calls per account per hour. */
export const META_LIMITS = { budgetChangesPerAdSetHour: 4, callsPerAccountHour: 600 };

/** Counts the call against the account; the account's calls in the platform hour, this one included. */
async function recordCall(db: PoolClient, account: string, hour: string): Promise<number> {
  await db.query('INSERT INTO meta_api_calls (ad_account_id) VALUES ($1)', [account]);
  const counted = await db.query(
    `SELECT count(*) FROM meta_api_calls WHERE ad_account_id = $1 AND at > now() - $2::interval`,
    [account, hour],
  );
  return Number(counted.rows[0].count);
}

/** Over the limit: access comes back when enough of the hour's calls have left it (Meta says so in minutes). */
async function regainMinutes(db: PoolClient, account: string, hour: string, calls: number, timeScale: number) {
  if (calls <= META_LIMITS.callsPerAccountHour) return 0;
  const leaves = await db.query(
    `SELECT extract(epoch FROM (at + $2::interval - now())) * 1000 AS ms FROM meta_api_calls
     WHERE ad_account_id = $1 AND at > now() - $2::interval ORDER BY at OFFSET $3 LIMIT 1`,
    [account, hour, calls - META_LIMITS.callsPerAccountHour],
  );
  const realWait = Math.max(0, Number(leaves.rows[0]?.ms ?? 0));
  return Math.max(1, Math.ceil(realWait / timeScale / 60_000));
}

/** Meta's usage headers: the account's share of its hourly calls, and when access comes back. */
function setUsageHeaders(reply: FastifyReply, account: string, pct: number, regain: number): void {
  const entry = { call_count: pct, total_cputime: pct, total_time: pct };
  const business: BusinessUseCaseUsage = {
    [account.replace(/^act_/, '')]: [{ type: 'ads_management', ...entry, estimated_time_to_regain_access: regain }],
  };
  const app: AppUsage = entry;
  reply.header(META_USAGE_HEADERS.businessUseCase, JSON.stringify(business));
  reply.header(META_USAGE_HEADERS.app, JSON.stringify(app));
}

/** Records the call and sets Meta's usage headers; true when the account is over its limit. */
export async function countCall(
  db: PoolClient,
  reply: FastifyReply,
  account: string,
  timeScale: number,
): Promise<boolean> {
  const hour = realInterval(1, timeScale);
  const calls = await recordCall(db, account, hour);
  const pct = Math.min(100, Math.round((100 * calls) / META_LIMITS.callsPerAccountHour));
  setUsageHeaders(reply, account, pct, await regainMinutes(db, account, hour, calls, timeScale));
  return calls > META_LIMITS.callsPerAccountHour;
}
