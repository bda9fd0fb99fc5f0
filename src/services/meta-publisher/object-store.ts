import type { PoolClient } from 'pg';
import { marketFor } from '../../market/market';
import { notFound } from '../shared/validation';

/** An ad set as the simulated Meta holds it. */
export interface AdSetRow {
  daily_budget: string;
  ad_split: Record<string, number>;
  ad_account_id: string;
  status: string;
}

/** An ad as the simulated Meta holds it. */
export interface AdRow {
  ad_account_id: string;
  creative: unknown;
  status: string;
}

/**
 * The ad set's row, locked: one Meta created, or one of the market's (its initial budget from the seed's market,
 * written on first sight).
 */
export async function adSetRow(db: PoolClient, seed: number | undefined, adSetId: string): Promise<AdSetRow> {
  const select = () => db.query('SELECT * FROM meta_ad_sets WHERE ad_set_id = $1 FOR UPDATE', [adSetId]);
  let found = await select();
  const adSet = seed === undefined ? undefined : marketFor(seed).find((s) => s.adSetId === adSetId);
  if (!found.rowCount && adSet) {
    await db.query(
      `INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [adSetId, adSet.accountId, adSet.initialDailyBudget],
    );
    found = await select();
  }
  if (!found.rowCount) throw notFound(`ad set ${adSetId}`);
  return found.rows[0] as AdSetRow;
}

/** The ad's row, locked: one Meta created, or one of the market's (written on first sight). */
export async function adRow(db: PoolClient, adId: string): Promise<AdRow> {
  const select = () => db.query('SELECT * FROM meta_ads WHERE id = $1 FOR UPDATE', [adId]);
  let found = await select();
  const ad = marketFor(0)
    .flatMap((s) => s.ads)
    .find((a) => a.adId === adId);
  if (!found.rowCount && ad) {
    await db.query(
      `INSERT INTO meta_ads (id, idempotency_key, ad_account_id, ad_set_id, name, status)
       VALUES ($1, $2, $3, $4, $1, 'ACTIVE') ON CONFLICT DO NOTHING`,
      [adId, `market:${adId}`, ad.accountId, ad.adSetId],
    );
    found = await select();
  }
  if (!found.rowCount) throw notFound(`ad ${adId}`);
  return found.rows[0] as AdRow;
}

/** Sets an ad's creative or status (whichever is given). */
export async function updateAd(db: PoolClient, adId: string, creative: unknown, status: string | undefined) {
  await db.query('UPDATE meta_ads SET creative = coalesce($2, creative), status = coalesce($3, status) WHERE id = $1', [
    adId,
    creative ? JSON.stringify(creative) : null,
    status ?? null,
  ]);
}

/** Sets an ad set's status. */
export async function setAdSetStatus(db: PoolClient, adSetId: string, status: string): Promise<void> {
  await db.query('UPDATE meta_ad_sets SET status = $2, updated_at = now() WHERE ad_set_id = $1', [adSetId, status]);
}

/** How many budget changes the ad set had in the last `hour` (a real-time interval). */
export async function recentBudgetChanges(db: PoolClient, adSetId: string, hour: string): Promise<number> {
  const recent = await db.query(
    `SELECT count(*) FROM meta_budget_updates WHERE ad_set_id = $1 AND at > now() - $2::interval`,
    [adSetId, hour],
  );
  return Number(recent.rows[0].count);
}

/** A new budget for the ad set (and its split over its ads, if given), with its record in the budget updates. */
export async function setAdSetBudget(
  db: PoolClient,
  key: string,
  adSetId: string,
  row: AdSetRow,
  budget: number,
  adSplit: Record<string, number> | undefined,
): Promise<void> {
  await db.query(
    `INSERT INTO meta_budget_updates (idempotency_key, ad_set_id, ad_account_id, old_budget, new_budget)
     VALUES ($1, $2, $3, $4, $5)`,
    [key, adSetId, row.ad_account_id, row.daily_budget, budget],
  );
  await db.query(
    `UPDATE meta_ad_sets SET daily_budget = $2, ad_split = coalesce($3, ad_split), updated_at = now() WHERE ad_set_id = $1`,
    [adSetId, budget, adSplit ? JSON.stringify(adSplit) : null],
  );
}
