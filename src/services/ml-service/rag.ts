import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { inTransaction, insertOnce } from '../../db/helpers';
import { notFound, parseOr400 } from '../shared/validation';
import { patternsOf } from './creative-patterns';
import type { CreativeFeatures } from './ctr-model';
import { PATTERN_KEYS } from './pattern-contract';
import { measureIndex, type BenchmarkResult } from './rag/benchmark';
import { createSearchCache } from './rag/cache';
import { ragConfigFromEnv, type RagConfig } from './rag/config';
import { embed, normalizeQuery } from './rag/embedding';
import { queryGraph, updateGraph } from './rag/knowledge-graph';
import { ObjectStore } from './rag/object-store';
import { knn, type SearchHit } from './rag/search';

const featuresSchema = z.object({
  scene_count: z.number().int().min(1).max(100),
  has_hook: z.boolean(),
  avg_motion: z.number().min(0).max(1),
  faces: z.number().int().min(0).max(50),
});
const winnerSchema = z.object({
  ad_id: z.string().min(1).max(200),
  ad_account_id: z.string().min(1).max(100),
  ad_set_id: z.string().min(1).max(200),
  features: featuresSchema,
  ctr: z.number().min(0).max(1),
  copy_text: z.string().min(1).max(2000),
});
const searchSchema = z.object({
  query: z
    .string()
    .max(2000)
    .refine((q) => normalizeQuery(q).length > 0, 'must contain a word'),
  features: featuresSchema.optional(),
  k: z.number().int().min(1).max(100).default(10),
  ad_account_id: z.string().min(1).max(100).optional(),
});
const winnerRef = z.object({ winner_id: z.string().uuid() });
const patternsSchema = winnerRef.extend({ k: z.number().int().min(1).max(100).default(10) });
const graphSchema = winnerRef.extend({ extraction_id: z.string().regex(/^\d+$/) });
const benchmarkSchema = z.object({
  queries: z.number().int().min(1).max(200).default(20),
  k: z.number().int().min(1).max(100).default(10),
});
const graphQuerySchema = z.object({
  patterns: z.array(z.enum(PATTERN_KEYS)).min(1).optional(),
  ad_account_id: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(100).default(10),
});

interface WinnerRow {
  id: string;
  ad_id: string;
  ad_account_id: string;
  ad_set_id: string;
  copy_text: string;
  features: CreativeFeatures;
  patterns: string[];
  ctr: number;
  asset_key: string;
  embedding_array: number[];
}

/** Cosine similarity of two unit vectors from their Euclidean distance. */
const similarity = (distance: number) => Math.round((1 - (distance * distance) / 2) * 1e6) / 1e6;

/**
 * RAG over winning creatives: the index (PostgreSQL cube + GiST, KNN by `<->`), cached semantic search,
 * patterns around a winner, creative DNA, the knowledge graph and the index's own measurement.
 * Every write is keyed by the call's idempotency key; the graph only upserts.
 */
export function registerRag(app: FastifyInstance, ctx: ServiceContext, config: RagConfig = ragConfigFromEnv()): void {
  const cache = createSearchCache(config.redisUrl);
  const store = new ObjectStore(config.assetDir);
  const cacheLookups = new client.Counter({
    name: 'rag_search_cache_total',
    help: 'RAG search cache lookups by result (hit, miss, error)',
    labelNames: ['result'],
    registers: [ctx.metrics],
  });
  const counts = { hit: 0, miss: 0, error: 0 };
  const count = (result: keyof typeof counts) => {
    counts[result]++;
    cacheLookups.inc({ result });
  };
  app.addHook('onClose', async () => cache.close());

  async function winner(id: string): Promise<WinnerRow> {
    const res = await ctx.pool.query<WinnerRow>('SELECT * FROM rag_winners WHERE id = $1', [id]);
    if (!res.rowCount) throw notFound(`winner ${id}`);
    return res.rows[0];
  }

  /** index_winner: the winner's DNA into the object store, its embedding into the index. */
  app.post('/rag/winners', async (request, reply) => {
    const body = parseOr400(winnerSchema, request.body);
    const key = ctx.idempotencyKey(request);
    await ctx.platformDelay(request, 150);
    const patterns = patternsOf(body.features);
    const asset = await store.put(Buffer.from(JSON.stringify({ ...body, patterns })), 'json');
    const embedding = embed(body.copy_text, body.features);
    // A winner is indexed once, whichever call came first: a retry or another run finds its row.
    const inserted = await ctx.pool.query<WinnerRow>(
      `INSERT INTO rag_winners (idempotency_key, ad_id, ad_account_id, ad_set_id, copy_text, features, patterns, ctr,
         asset_key, embedding, embedding_array)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, cube($10::float8[]), $10::float8[])
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        key,
        body.ad_id,
        body.ad_account_id,
        body.ad_set_id,
        body.copy_text,
        JSON.stringify(body.features),
        patterns,
        body.ctr,
        asset.key,
        embedding,
      ],
    );
    const row =
      inserted.rows[0] ??
      (
        await ctx.pool.query<WinnerRow>(
          'SELECT * FROM rag_winners WHERE ad_id = $1 OR idempotency_key = $2 ORDER BY ad_id = $1 DESC LIMIT 1',
          [body.ad_id, key],
        )
      ).rows[0];
    return reply.code(inserted.rowCount ? 201 : 200).send({
      winner_id: row.id,
      ad_id: row.ad_id,
      asset_key: row.asset_key,
      patterns: row.patterns,
      created: Boolean(inserted.rowCount),
    });
  });

  /** semantic_search: a text (and optional features) to its nearest winners, through the cache. */
  app.post('/rag/search', async (request) => {
    const body = parseOr400(searchSchema, request.body);
    await ctx.platformDelay(request, 100);
    const normalized = normalizeQuery(body.query);
    const cacheKey = crypto
      .createHash('sha256')
      .update(JSON.stringify([normalized, body.features ?? null, body.k, body.ad_account_id ?? null]))
      .digest('hex');
    let cached: string | null = null;
    let lookup: 'hit' | 'miss' | 'error' = 'miss';
    try {
      cached = await cache.get(cacheKey);
      lookup = cached === null ? 'miss' : 'hit';
    } catch (err) {
      // A cache that is down slows search; it must not stop it.
      request.log.warn({ err }, 'rag search cache unavailable');
      lookup = 'error';
    }
    count(lookup);
    let results: SearchHit[];
    if (cached !== null) {
      results = JSON.parse(cached) as SearchHit[];
    } else {
      results = await knn(ctx.pool, embed(body.query, body.features), body.k, { accountId: body.ad_account_id });
      if (lookup === 'miss') {
        await cache
          .set(cacheKey, JSON.stringify(results), config.cacheTtlSeconds)
          .catch((err) => request.log.warn({ err }, 'rag search cache unavailable'));
      }
    }
    return {
      query: normalized,
      cache: lookup,
      cache_kind: cache.kind,
      cache_totals: { ...counts },
      results,
    };
  });

  /** pattern_extraction: which patterns the winner's nearest winners share, against the whole index. */
  app.post('/rag/patterns', async (request, reply) => {
    const body = parseOr400(patternsSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const w = await winner(body.winner_id);
    const done = await ctx.pool.query('SELECT * FROM rag_pattern_extractions WHERE idempotency_key = $1', [key]);
    if (done.rowCount) return reply.code(200).send({ extraction_id: done.rows[0].id, ...done.rows[0].result });
    const neighbors = await knn(ctx.pool, w.embedding_array, body.k, { exclude: w.id });
    const shares = await ctx.pool.query<{ pattern: string; n: number; total: number }>(
      `SELECT p AS pattern, count(*)::int AS n, (SELECT count(*)::int FROM rag_winners) AS total
       FROM rag_winners, unnest(patterns) p GROUP BY p`,
    );
    const corpusShare = new Map(shares.rows.map((r) => [r.pattern, r.n / r.total]));
    const patterns = PATTERN_KEYS.map((pattern) => {
      const neighborShare = neighbors.length
        ? neighbors.filter((n) => n.patterns.includes(pattern)).length / neighbors.length
        : 0;
      const corpus = corpusShare.get(pattern) ?? 0;
      return {
        pattern,
        in_winner: w.patterns.includes(pattern),
        neighbor_share: neighborShare,
        corpus_share: corpus,
        lift: corpus > 0 ? neighborShare / corpus : null,
      };
    });
    const result = {
      winner_id: w.id,
      neighbors: neighbors.map((n) => ({ winner_id: n.winner_id, ad_id: n.ad_id, distance: n.distance })),
      patterns,
    };
    const { row, created } = await insertOnce<{ id: string; result: typeof result }>(
      ctx.pool,
      'rag_pattern_extractions',
      key,
      `INSERT INTO rag_pattern_extractions (idempotency_key, winner_id, result) VALUES ($1, $2, $3)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, w.id, JSON.stringify(result)],
    );
    return reply.code(created ? 201 : 200).send({ extraction_id: row.id, ...row.result });
  });

  /** creative_dna_extraction: the winner's DNA as a video's extraction, and as an asset in the object store. */
  app.post('/rag/dna', async (request, reply) => {
    const body = parseOr400(winnerRef, request.body);
    const key = ctx.idempotencyKey(request);
    const w = await winner(body.winner_id);
    const dna = {
      source: 'rag-search',
      ad_id: w.ad_id,
      ad_account_id: w.ad_account_id,
      features: w.features,
      patterns: w.patterns,
      copy_text: w.copy_text,
      ctr: w.ctr,
      winner_asset_key: w.asset_key,
    };
    const asset = await store.put(Buffer.from(JSON.stringify(dna)), 'json');
    return inTransaction(ctx.pool, async (db) => {
      const { row: video, created } = await insertOnce<{ id: string }>(
        db,
        'videos',
        key,
        `INSERT INTO videos (idempotency_key, source_url, status, duration_seconds, features)
         VALUES ($1, $2, 'analyzed', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [key, `creative://${w.ad_id}`, w.features.scene_count * 3, JSON.stringify(w.features)],
      );
      const extraction = await db.query(
        `INSERT INTO creative_dna_extractions (video_id, dna, embedding) VALUES ($1, $2, $3)
         ON CONFLICT (video_id) DO UPDATE SET video_id = EXCLUDED.video_id RETURNING id`,
        [video.id, JSON.stringify({ ...dna, asset_key: asset.key }), w.embedding_array],
      );
      return reply
        .code(created ? 201 : 200)
        .send({ dna_id: extraction.rows[0].id, video_id: video.id, asset_key: asset.key, patterns: w.patterns });
    });
  });

  /** knowledge_graph_update: the winner, its patterns, outcome, account and similar winners, upserted. */
  app.post('/rag/knowledge-graph', async (request) => {
    const body = parseOr400(graphSchema, request.body);
    ctx.idempotencyKey(request);
    const w = await winner(body.winner_id);
    const extraction = await ctx.pool.query<{ result: { neighbors: Array<{ ad_id: string; distance: number }> } }>(
      'SELECT result FROM rag_pattern_extractions WHERE id = $1 AND winner_id = $2',
      [body.extraction_id, w.id],
    );
    if (!extraction.rowCount) throw notFound(`pattern extraction ${body.extraction_id} of winner ${w.id}`);
    const similar = extraction.rows[0].result.neighbors.map((n) => ({
      ad_id: n.ad_id,
      similarity: similarity(n.distance),
    }));
    return inTransaction(ctx.pool, (db) =>
      updateGraph(
        db,
        { winner_id: w.id, ad_id: w.ad_id, ad_account_id: w.ad_account_id, ctr: w.ctr, patterns: w.patterns },
        similar,
      ),
    );
  });

  /** What the graph knows about patterns and outcomes (for pattern prediction); a read. */
  app.post('/rag/knowledge-graph/query', async (request) => {
    const body = parseOr400(graphQuerySchema, request.body);
    return queryGraph(ctx.pool, body);
  });

  /** vector_search_performance: the index's recall@k against exact search, and latencies, stored once. */
  app.post('/rag/benchmark', async (request, reply) => {
    const body = parseOr400(benchmarkSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const done = await ctx.pool.query('SELECT * FROM rag_search_benchmarks WHERE idempotency_key = $1', [key]);
    if (done.rowCount) return reply.code(200).send(benchmarkOf(done.rows[0]));
    const seed = crypto.createHash('sha256').update(key).digest().readUInt32BE(0);
    const measured = await inTransaction(ctx.pool, (db) => measureIndex(db, seed, body.queries, body.k));
    const { row, created } = await insertOnce<Record<string, unknown>>(
      ctx.pool,
      'rag_search_benchmarks',
      key,
      `INSERT INTO rag_search_benchmarks (idempotency_key, corpus_size, queries, k, recall_at_k, index_used,
         index_p50_ms, index_p95_ms, brute_force_p50_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        measured.corpus_size,
        measured.queries,
        measured.k,
        measured.recall_at_k,
        measured.index_used,
        measured.index_p50_ms,
        measured.index_p95_ms,
        measured.brute_force_p50_ms,
      ],
    );
    return reply.code(created ? 201 : 200).send(benchmarkOf(row));
  });
}

function benchmarkOf(row: Record<string, unknown>): BenchmarkResult & { benchmark_id: string } {
  return {
    benchmark_id: String(row.id),
    corpus_size: Number(row.corpus_size),
    queries: Number(row.queries),
    k: Number(row.k),
    recall_at_k: Number(row.recall_at_k),
    index_used: Boolean(row.index_used),
    index_p50_ms: Number(row.index_p50_ms),
    index_p95_ms: Number(row.index_p95_ms),
    brute_force_p50_ms: Number(row.brute_force_p50_ms),
  };
}
