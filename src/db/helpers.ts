import type { Pool, PoolClient } from 'pg';

/**
 * Inserts a row keyed by idempotency_key, or returns the row an earlier attempt wrote.
 * `insertSql` must be an INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING *.
 */
export async function insertOnce<T>(
  db: Pool | PoolClient,
  table: string,
  key: string,
  insertSql: string,
  params: unknown[],
): Promise<{ row: T; created: boolean }> {
  const inserted = await db.query(insertSql, params);
  if (inserted.rowCount) return { row: inserted.rows[0] as T, created: true };
  const existing = await db.query(`SELECT * FROM ${table} WHERE idempotency_key = $1`, [key]);
  return { row: existing.rows[0] as T, created: false };
}

/** Runs `fn` in a transaction on one client. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
