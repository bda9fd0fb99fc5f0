import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { FLOWS } from '../../src/flows/catalog';
import { registerRag } from '../../src/services/ml-service/rag';
import { ragConfigFromEnv } from '../../src/services/ml-service/rag/config';
import { bruteForceKnn, embed } from '../../src/services/ml-service/rag/embedding';
import { winnerFor, type Winner } from '../../src/flows/rag-winners';
import { BUILT_IN_PROFILES, faultsFor } from '../../src/contracts/fault-profile';
import { createServiceApp } from '../../src/services/shared/server';
import { rowsPerFlow } from '../support/runs';
import { scrapeMetrics } from '../../src/bench/scrape-metrics';
import { sumSamples } from '../../src/stats/prometheus-text';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

// Fresh seeds per test run: the index keeps a winner once by ad id, whichever run indexed it first.
const CORPUS_SEED = randomInt(1_000_000, 2_000_000);
const FLOW_SEED = CORPUS_SEED + 1;
const CORPUS_SIZE = 300;
const corpus: Winner[] = Array.from({ length: CORPUS_SIZE }, (_, i) => winnerFor(CORPUS_SEED, i));

async function post(base: string, urlPath: string, body: unknown, key?: string) {
  const res = await request(`${base}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  // Bodies are checked by the assertions, not by types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
}
const ml = (urlPath: string, body: unknown, key?: string) =>
  post(stack.endpoints.services['ml-service'], urlPath, body, key);

/** A query like a winner's, one word swapped and its motion nudged. */
function perturbed(w: Winner, i: number) {
  const words = w.copy_text.split(' ');
  words[i % words.length] = 'sparkly';
  const avg_motion = Math.min(1, Math.max(0, w.features.avg_motion + (i % 2 ? 0.03 : -0.03)));
  return { query: words.join(' '), features: { ...w.features, avg_motion } };
}

async function cacheCounts(): Promise<Record<string, number>> {
  const samples = await scrapeMetrics(`${stack.endpoints.services['ml-service']}/metrics`);
  return Object.fromEntries(
    ['hit', 'miss', 'error'].map((result) => [result, sumSamples(samples, 'rag_search_cache_total', { result })]),
  );
}

test('a seeded index of winners: recall@10 against brute force, and perturbed queries find their winner', async () => {
  const runKey = `seed-${randomUUID()}`;
  for (let i = 0; i < corpus.length; i += 20) {
    const batch = await Promise.all(corpus.slice(i, i + 20).map((w, j) => ml('/rag/winners', w, `${runKey}:${i + j}`)));
    for (const r of batch) expect(r.status).toBe(201);
  }
  // Each winner's DNA is in the object store, content-addressed.
  const stored = await stack.pool.query(`SELECT asset_key FROM rag_winners WHERE idempotency_key LIKE $1`, [
    `${runKey}:%`,
  ]);
  expect(stored.rowCount).toBe(CORPUS_SIZE);
  const assetDir = ragConfigFromEnv().assetDir;
  for (const r of stored.rows.slice(0, 20)) {
    const asset = JSON.parse(fs.readFileSync(path.join(assetDir, r.asset_key), 'utf8'));
    expect(asset.ad_id).toMatch(new RegExp(`_cr${CORPUS_SEED}_`));
  }

  // The service's own measurement: the GiST index's KNN against exact search on one snapshot.
  const bench = await ml('/rag/benchmark', { queries: 50, k: 10 }, `bench-${randomUUID()}`);
  expect(bench.status).toBe(201);
  expect(bench.body).toMatchObject({ queries: 50, k: 10, index_used: true });
  expect(bench.body.corpus_size).toBeGreaterThanOrEqual(CORPUS_SIZE);
  expect(bench.body.recall_at_k).toBeGreaterThanOrEqual(0.9);

  // And measured from outside: the search endpoint against brute force over every stored vector.
  const all = await stack.pool.query<{ ad_id: string; embedding: number[] }>(
    'SELECT ad_id, embedding_array AS embedding FROM rag_winners',
  );
  let recall = 0;
  let foundFirst = 0;
  const sample = corpus.filter((_, i) => i % 10 === 0);
  for (const [i, w] of sample.entries()) {
    const q = perturbed(w, i);
    const res = await ml('/rag/search', { ...q, k: 10 });
    expect(res.status).toBe(200);
    const exact = bruteForceKnn(all.rows, embed(q.query, q.features), 10).map((r) => r.ad_id);
    const found = (res.body.results as Array<{ ad_id: string }>).map((r) => r.ad_id);
    recall += found.filter((id) => exact.includes(id)).length / exact.length;
    if (found[0] === w.ad_id) foundFirst++;
  }
  expect(recall / sample.length).toBeGreaterThanOrEqual(0.9);
  // Chance would put the winner first 1 time in 300.
  expect(foundFirst / sample.length).toBeGreaterThanOrEqual(0.9);
});

test('a repeated query is answered from the cache, counted in the metrics', async () => {
  const before = await cacheCounts();
  const word = `zq${randomUUID().slice(0, 8)}`;
  const first = await ml('/rag/search', { query: `Hook opening, HIGH motion ${word}`, k: 5 });
  const second = await ml('/rag/search', { query: `  hook opening high motion ${word}!`, k: 5 });
  expect(first.body).toMatchObject({ cache: 'miss', cache_kind: 'memory' });
  expect(second.body).toMatchObject({ cache: 'hit', query: `hook opening high motion ${word}` });
  expect(second.body.results).toEqual(first.body.results);
  const after = await cacheCounts();
  expect(after.hit - before.hit).toBeGreaterThanOrEqual(1);
  expect(after.miss - before.miss).toBeGreaterThanOrEqual(1);
});

test('bad input is refused with a 400 naming the field', async () => {
  const bad = await ml('/rag/search', { query: '?!' });
  expect(bad).toMatchObject({ status: 400, body: { field: 'query' } });
  const motion = await ml(
    '/rag/winners',
    { ...corpus[0], features: { ...corpus[0].features, avg_motion: 3 } },
    `bad-${randomUUID()}`,
  );
  expect(motion).toMatchObject({ status: 400, body: { field: 'features.avg_motion' } });
  const pattern = await ml('/rag/knowledge-graph/query', { patterns: ['sparkles'] });
  expect(pattern).toMatchObject({ status: 400, body: { field: 'patterns.0' } });
  const unknown = await ml('/rag/patterns', { winner_id: randomUUID() }, `nf-${randomUUID()}`);
  expect(unknown.status).toBe(404);
});

test('a run of the flow writes its rows once per flow and grows the knowledge graph', async () => {
  const count = 12;
  const before = await cacheCounts();
  const result = await stack.runFlow({ flow: 'rag-search', count, concurrency: 4, timeScale: 0.01, seed: FLOW_SEED });
  expect(result).toMatchObject({ status: 'completed', completed_operations: count, successful: count, failed: 0 });
  expect(Object.keys(result.step_analysis)).toEqual([...FLOWS['rag-search'].steps]);

  for (const [table, step] of [
    ['rag_winners', 'index_winner'],
    ['rag_pattern_extractions', 'pattern_extraction'],
    ['videos', 'creative_dna_extraction'],
    ['rag_search_benchmarks', 'vector_search_performance'],
  ]) {
    const rows = await rowsPerFlow(stack.pool, table, result.run_id, step);
    expect({ table, flows: rows.size }).toEqual({ table, flows: count });
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
  }
  const dna = await stack.pool.query(
    `SELECT d.dna FROM creative_dna_extractions d JOIN videos v ON v.id = d.video_id WHERE v.idempotency_key LIKE $1`,
    [`${result.run_id}-%:creative_dna_extraction`],
  );
  expect(dna.rowCount).toBe(count);
  for (const r of dna.rows) expect(r.dna).toMatchObject({ source: 'rag-search' });

  // Every flow's index measurement held recall@10 ≥ 0.9 on the GiST index.
  const benches = await stack.pool.query(
    `SELECT recall_at_k, index_used FROM rag_search_benchmarks WHERE idempotency_key LIKE $1`,
    [`${result.run_id}-%`],
  );
  for (const b of benches.rows) expect(b).toMatchObject({ index_used: true });
  expect(Math.min(...benches.rows.map((b) => b.recall_at_k))).toBeGreaterThanOrEqual(0.9);

  // The graph: one node per winner, with its patterns, its outcome, its account and its 10 nearest winners.
  const winners = await stack.pool.query<{ ad_id: string; patterns: string[] }>(
    `SELECT ad_id, patterns FROM rag_winners WHERE idempotency_key LIKE $1`,
    [`${result.run_id}-%:index_winner`],
  );
  expect(winners.rows.map((w) => w.ad_id).sort()).toEqual(
    Array.from({ length: count }, (_, i) => winnerFor(FLOW_SEED, i).ad_id).sort(),
  );
  for (const w of winners.rows) {
    const edges = await stack.pool.query(
      `SELECT e.relation, count(*)::int AS n FROM kg_nodes c JOIN kg_edges e ON e.src_id = c.id
       WHERE c.kind = 'creative' AND c.key = $1 GROUP BY e.relation`,
      [w.ad_id],
    );
    const byRelation = Object.fromEntries(edges.rows.map((r) => [r.relation, r.n]));
    expect(byRelation).toEqual({
      achieved: 1,
      belongs_to: 1,
      similar_to: 10,
      ...(w.patterns.length ? { has_pattern: w.patterns.length } : {}),
    });
  }
  // Each flow searched once; each search went through the cache.
  const after = await cacheCounts();
  expect(after.hit + after.miss - before.hit - before.miss).toBeGreaterThanOrEqual(count);
});

test('retried calls write nothing twice', async () => {
  const w = winnerFor(FLOW_SEED + 1, 0);
  const key = `retry-${randomUUID()}`;
  const first = await ml('/rag/winners', w, `${key}:index`);
  const again = await ml('/rag/winners', w, `${key}:index`);
  const otherRun = await ml('/rag/winners', w, `${key}:other`);
  expect([first.status, again.status, otherRun.status]).toEqual([201, 200, 200]);
  expect(again.body.winner_id).toBe(first.body.winner_id);
  expect(otherRun.body.winner_id).toBe(first.body.winner_id);

  const p1 = await ml('/rag/patterns', { winner_id: first.body.winner_id }, `${key}:patterns`);
  const p2 = await ml('/rag/patterns', { winner_id: first.body.winner_id }, `${key}:patterns`);
  expect([p1.status, p2.status]).toEqual([201, 200]);
  expect(p2.body).toEqual(p1.body);

  const graphBody = { winner_id: first.body.winner_id, extraction_id: String(p1.body.extraction_id) };
  await ml('/rag/knowledge-graph', graphBody, `${key}:graph`);
  const edgeCount = () => stack.pool.query('SELECT count(*)::int AS n FROM kg_edges').then((r) => r.rows[0].n);
  const edges = await edgeCount();
  const g2 = await ml('/rag/knowledge-graph', graphBody, `${key}:graph`);
  expect(g2.status).toBe(200);
  expect(await edgeCount()).toBe(edges);

  const d1 = await ml('/rag/dna', { winner_id: first.body.winner_id }, `${key}:dna`);
  const d2 = await ml('/rag/dna', { winner_id: first.body.winner_id }, `${key}:dna`);
  expect([d1.status, d2.status]).toEqual([201, 200]);
  expect(d2.body.dna_id).toBe(d1.body.dna_id);
});

test('the knowledge graph answers which patterns go with better outcomes', async () => {
  // Sixty of the seeded winners into the graph too, so the question has data enough.
  const ids = await stack.pool.query<{ id: string; ad_id: string }>(
    'SELECT id, ad_id FROM rag_winners WHERE ad_id = ANY($1)',
    [corpus.slice(0, 60).map((w) => w.ad_id)],
  );
  expect(ids.rowCount).toBe(60);
  const key = `graph-${randomUUID()}`;
  for (let i = 0; i < ids.rows.length; i += 10) {
    await Promise.all(
      ids.rows.slice(i, i + 10).map(async (w) => {
        const p = await ml('/rag/patterns', { winner_id: w.id }, `${key}:${w.ad_id}:patterns`);
        const g = await ml(
          '/rag/knowledge-graph',
          { winner_id: w.id, extraction_id: String(p.body.extraction_id) },
          `${key}:${w.ad_id}:graph`,
        );
        expect(g.status).toBe(200);
      }),
    );
  }
  const res = await ml('/rag/knowledge-graph/query', { patterns: ['hook_opening'], limit: 5 });
  expect(res.status).toBe(200);
  expect(res.body.creatives).toBeGreaterThan(0);
  expect(res.body.patterns).toHaveLength(1);
  expect(res.body.patterns[0]).toMatchObject({ pattern: 'hook_opening' });
  // The market rewards a hook: winners with one did better than winners overall.
  expect(res.body.patterns[0].lift).toBeGreaterThan(1);
  const top = res.body.top_creatives as Array<{ ctr: number; patterns: string[]; similar: unknown[] }>;
  expect(top.length).toBeGreaterThan(0);
  for (const c of top) expect(c.patterns).toContain('hook_opening');
  expect(top.map((c) => c.ctr)).toEqual([...top.map((c) => c.ctr)].sort((a, b) => b - a));
  const all = await ml('/rag/knowledge-graph/query', {});
  expect(all.body.patterns.map((p: { pattern: string }) => p.pattern).sort()).toEqual([
    'high_motion',
    'hook_opening',
    'many_faces',
    'many_scenes',
  ]);
});

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('with REDIS_URL, the search cache is Redis', () => {
  let redis: ChildProcess | undefined;
  let app: FastifyInstance | undefined;
  let assetDir: string;
  afterAll(async () => {
    await app?.close();
    if (redis?.pid && redis.exitCode === null) redis.kill();
    fs.rmSync(assetDir, { recursive: true, force: true });
  });

  test('a repeated query hits Redis; with Redis gone, search still answers', async () => {
    if (!fs.existsSync(REDIS_SERVER)) {
      throw new Error(`no redis-server at ${REDIS_SERVER}: run npm run setup, or set REDIS_SERVER_PATH`);
    }
    const port = await freePort();
    redis = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const url = `redis://127.0.0.1:${port}`;
    const probe = createClient({ url, socket: { reconnectStrategy: 100 } });
    probe.on('error', () => undefined);
    await probe.connect(); // retries until redis-server listens
    try {
      assetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-assets-'));
      // An ML Service instance of its own, in this process, configured for Redis; quiet about Redis going away.
      const logLevel = process.env.LOG_LEVEL;
      process.env.LOG_LEVEL = 'error';
      app = createServiceApp(
        {
          name: 'ml-service',
          pool: stack.pool,
          faults: faultsFor(BUILT_IN_PROFILES.none, 'ml-service'),
          timeScale: 0.01,
        },
        (a, ctx) => registerRag(a, ctx, { redisUrl: url, assetDir, cacheTtlSeconds: 30 }),
      );
      if (logLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = logLevel;
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const query = { query: `many faces calm motion zr${randomUUID().slice(0, 8)}`, k: 3 };
      const first = await post(base, '/rag/search', query);
      const second = await post(base, '/rag/search', query);
      expect(first.body).toMatchObject({ cache: 'miss', cache_kind: 'redis' });
      expect(second.body).toMatchObject({ cache: 'hit', cache_kind: 'redis' });
      expect(second.body.results).toEqual(first.body.results);
      const keys = await probe.keys('rag:search:*');
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(await probe.ttl(keys[0])).toBeGreaterThan(0);

      probe.destroy();
      const exited = new Promise((resolve) => redis!.once('exit', resolve));
      redis.kill();
      await exited;
      const without = await post(base, '/rag/search', query);
      expect(without.status).toBe(200);
      expect(without.body).toMatchObject({ cache: 'error' });
      expect(without.body.results).toEqual(first.body.results);
    } finally {
      if (probe.isOpen) probe.destroy();
    }
  });
});
