import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import { seededRng, standardNormal, type Rng } from '../../../stats/random';
import { bruteForceKnn, EMBEDDING_DIMS, recallAtK } from './embedding';
import { knn } from './search';

export interface BenchmarkResult {
  corpus_size: number;
  queries: number;
  k: number;
  recall_at_k: number;
  index_used: boolean;
  index_p50_ms: number;
  index_p95_ms: number;
  brute_force_p50_ms: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function unit(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

/** Queries like real ones: half are indexed winners with noise, half are random directions. */
function sampleQueries(rng: Rng, corpus: ReadonlyArray<{ embedding: number[] }>, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 2 === 0 && corpus.length) {
      const base = corpus[Math.floor(rng() * corpus.length)].embedding;
      return unit(base.map((x) => x + 0.1 * standardNormal(rng)));
    }
    return unit(Array.from({ length: EMBEDDING_DIMS }, () => standardNormal(rng)));
  });
}

/**
 * The index against exact search on one snapshot of the corpus (a repeatable-read transaction, so rows
 * indexed meanwhile cannot skew the comparison): recall@k and latencies. Sequential scans are turned off
 * in the transaction so the measured plan is the GiST index's, and EXPLAIN confirms it.
 */
export async function measureIndex(
  client: PoolClient,
  seed: number,
  queries: number,
  k: number,
): Promise<BenchmarkResult> {
  await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await client.query('SET LOCAL enable_seqscan = off');
  const rows = await client.query<{ id: string; embedding: number[] }>(
    'SELECT id, embedding_array AS embedding FROM rag_winners',
  );
  const corpus = rows.rows;
  const sample = sampleQueries(seededRng(seed), corpus, queries);
  const plan = await client.query(
    `EXPLAIN (FORMAT JSON) SELECT id FROM rag_winners ORDER BY embedding <-> cube($1::float8[]) LIMIT $2`,
    [sample[0], k],
  );
  const indexUsed = JSON.stringify(plan.rows[0]).includes('rag_winners_embedding_gist');
  const indexMs: number[] = [];
  const bruteMs: number[] = [];
  let recall = 0;
  for (const q of sample) {
    let t = performance.now();
    const found = await knn(client, q, k);
    indexMs.push(performance.now() - t);
    t = performance.now();
    const exact = bruteForceKnn(corpus, q, k);
    bruteMs.push(performance.now() - t);
    recall += recallAtK(
      found.map((h) => h.distance),
      exact.map((h) => h.distance),
      k,
    );
  }
  indexMs.sort((a, b) => a - b);
  bruteMs.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    corpus_size: corpus.length,
    queries,
    k,
    recall_at_k: recall / queries,
    index_used: indexUsed,
    index_p50_ms: round(quantile(indexMs, 0.5)),
    index_p95_ms: round(quantile(indexMs, 0.95)),
    brute_force_p50_ms: round(quantile(bruteMs, 0.5)),
  };
}
