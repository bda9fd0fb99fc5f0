import type { Pool } from 'pg';
import { INITIAL_MODEL, type CtrModel } from './ctr-model';

/** The CTR model in service: the latest trained version, or the initial one before any retraining. */
export async function currentModel(pool: Pool): Promise<CtrModel> {
  const latest = await pool.query('SELECT model FROM ml_models ORDER BY created_at DESC LIMIT 1');
  return latest.rowCount ? (latest.rows[0].model as CtrModel) : INITIAL_MODEL;
}
