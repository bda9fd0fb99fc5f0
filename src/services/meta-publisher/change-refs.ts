import type { Pool, PoolClient } from 'pg';
import { marketFor } from '../../market/market';
import type { QueuedChange } from '../../contracts/meta-publisher';

/** A field of a change that names nothing, or the wrong thing. */
export interface RefProblem {
  field: string;
  message: string;
}

// Market ids are the same for every seed (only budgets and rates differ), so any seed's market names them.
const market = () => marketFor(0);

/** The account of an ad set the simulated Meta holds (created through the API, or one of the market's), if any. */
export async function adSetAccount(db: Pool | PoolClient, adSetId: string): Promise<string | undefined> {
  const row = await db.query<{ ad_account_id: string }>('SELECT ad_account_id FROM meta_ad_sets WHERE ad_set_id = $1', [
    adSetId,
  ]);
  return row.rows[0]?.ad_account_id ?? market().find((s) => s.adSetId === adSetId)?.accountId;
}

/** The ad set of an ad the simulated Meta holds, if any. */
async function adAdSet(db: Pool | PoolClient, adId: string): Promise<string | undefined> {
  const row = await db.query<{ ad_set_id: string }>('SELECT ad_set_id FROM meta_ads WHERE id = $1', [adId]);
  return (
    row.rows[0]?.ad_set_id ??
    market()
      .flatMap((s) => s.ads)
      .find((a) => a.adId === adId)?.adSetId
  );
}

async function accountExists(db: Pool | PoolClient, account: string): Promise<boolean> {
  if (market().some((s) => s.accountId === account)) return true;
  const row = await db.query(
    `SELECT 1 FROM meta_ad_sets WHERE ad_account_id = $1 UNION ALL SELECT 1 FROM meta_campaigns WHERE ad_account_id = $1
     LIMIT 1`,
    [account],
  );
  return Boolean(row.rowCount);
}

/**
 * Whether every id a change names exists and they belong together: the account, its ad set, the platform campaign
 * of the same account, and the ads the payload names (of the same ad set). The first problem found, or null.
 */
export async function refProblem(db: Pool | PoolClient, change: QueuedChange): Promise<RefProblem | null> {
  const { ad_account_id: account, ad_set_id: adSet } = change;
  if (!(await accountExists(db, account))) return { field: 'ad_account_id', message: `no ad account ${account}` };
  const owner = await adSetAccount(db, adSet);
  if (!owner) return { field: 'ad_set_id', message: `no ad set ${adSet}` };
  if (owner !== account) return { field: 'ad_set_id', message: `ad set ${adSet} belongs to ${owner}, not ${account}` };
  if (change.campaign_id) {
    const campaign = await db.query<{ ad_account_id: string }>('SELECT ad_account_id FROM campaigns WHERE id = $1', [
      change.campaign_id,
    ]);
    if (!campaign.rowCount) return { field: 'campaign_id', message: `no campaign ${change.campaign_id}` };
    if (campaign.rows[0].ad_account_id !== account)
      return { field: 'campaign_id', message: `campaign ${change.campaign_id} is not in ${account}` };
  }
  const ads =
    change.change_type === 'creative_swap'
      ? [['payload.ad_id', change.payload.ad_id]]
      : change.change_type === 'budget_update'
        ? Object.keys(change.payload.ad_split ?? {}).map((ad) => [`payload.ad_split.${ad}`, ad])
        : [];
  for (const [field, ad] of ads) {
    const of = await adAdSet(db, ad);
    if (!of) return { field, message: `no ad ${ad}` };
    if (of !== adSet) return { field, message: `ad ${ad} is in ad set ${of}, not ${adSet}` };
  }
  return null;
}
