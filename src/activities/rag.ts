import type { CallContext } from '../flows/types';
import type { CreativeFeatures } from '../contracts/ml-service';
import { describeFeatures, winnerFor } from '../flows/rag-winners';
import type { ActivityDeps } from './deps';
import { attempted } from './http';
import { poster } from './requests';

interface SearchHit {
  winner_id: string;
  ad_id: string;
  distance: number;
}

/** The rag-search flow's steps, one thin ML Service call each, named after the step. */
export function createRagActivities(deps: ActivityDeps) {
  const ml = poster(deps, 'ml-service');
  return {
    /** The flow's winner (the truly best ad of one ad set of the market) into the index. */
    index_winner: (ctx: CallContext, input: { seed: number; index: number }) =>
      attempted(async () => {
        const winner = winnerFor(input.seed, input.index);
        const r = await ml<{ winner_id: string; ad_id: string; asset_key: string; created: boolean }>(
          ctx,
          '/rag/winners',
          winner,
        );
        // What a marketer would ask for to find creatives like this one.
        return { ...r, query: describeFeatures(winner.features) };
      }),

    semantic_search: (ctx: CallContext, input: { query: string; features?: CreativeFeatures; k: number }) =>
      attempted(async () => {
        const r = await ml<{ cache: 'hit' | 'miss' | 'error'; results: SearchHit[] }>(ctx, '/rag/search', input);
        return {
          cache: r.cache,
          results: r.results.map((h) => ({ winner_id: h.winner_id, ad_id: h.ad_id, distance: h.distance })),
        };
      }),

    pattern_extraction: (ctx: CallContext, input: { winner_id: string; k: number }) =>
      attempted(async () => {
        const r = await ml<{
          extraction_id: string;
          neighbors: unknown[];
          patterns: Array<{ pattern: string; lift: number | null }>;
        }>(ctx, '/rag/patterns', input);
        return {
          extraction_id: String(r.extraction_id),
          neighbors: r.neighbors.length,
          // Patterns the winner's neighbourhood shows more often than the index does.
          enriched: r.patterns.filter((p) => (p.lift ?? 0) > 1).map((p) => p.pattern),
        };
      }),

    creative_dna_extraction: (ctx: CallContext, input: { winner_id: string }) =>
      attempted(() => ml<{ dna_id: string; video_id: string; asset_key: string }>(ctx, '/rag/dna', input)),

    knowledge_graph_update: (ctx: CallContext, input: { winner_id: string; extraction_id: string }) =>
      attempted(() =>
        ml<{ creative_node_id: number; nodes: number; edges: number }>(ctx, '/rag/knowledge-graph', input),
      ),

    vector_search_performance: (ctx: CallContext, input: { queries: number; k: number }) =>
      attempted(() =>
        ml<{
          benchmark_id: string;
          corpus_size: number;
          recall_at_k: number;
          index_used: boolean;
          index_p50_ms: number;
          index_p95_ms: number;
          brute_force_p50_ms: number;
        }>(ctx, '/rag/benchmark', input),
      ),
  };
}
