import type { Pool, PoolClient } from 'pg';

/** One winner as a search returns it. */
export interface SearchHit {
  winner_id: string;
  ad_id: string;
  ad_account_id: string;
  copy_text: string;
  patterns: string[];
  ctr: number;
  distance: number;
}

/**
 * The k indexed winners nearest a vector, by the GiST index's KNN order (`<->`, Euclidean on unit vectors).
 * `exclude` leaves one winner out (a winner is not its own neighbour).
 */
export async function knn(
  db: Pool | PoolClient,
  vector: readonly number[],
  k: number,
  opts: { accountId?: string; exclude?: string } = {},
): Promise<SearchHit[]> {
  const res = await db.query(
    `SELECT id AS winner_id, ad_id, ad_account_id, copy_text, patterns, ctr, embedding <-> cube($1::float8[]) AS distance
     FROM rag_winners
     WHERE ($3::text IS NULL OR ad_account_id = $3) AND ($4::uuid IS NULL OR id <> $4)
     ORDER BY embedding <-> cube($1::float8[]) LIMIT $2`,
    [vector, k, opts.accountId ?? null, opts.exclude ?? null],
  );
  return res.rows;
}
