import type { FlowInput, FlowOutcome } from '../flows/types';
import { StepRecorder } from './steps';

/** Neighbours a search and a pattern extraction look at. */
const K = 10;
/** Queries each flow's index measurement runs (half near indexed winners, half anywhere). */
const BENCHMARK_QUERIES = 20;

/**
 * One winning creative through the RAG: indexed (embedding + DNA asset), searched for by what it shows,
 * its neighbourhood's patterns, its creative DNA, its place in the knowledge graph, then a measurement
 * of the vector index against exact search. A search answered from the cache is recorded in the refs.
 */
export async function ragSearch(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('rag-search', input);
  return steps.guard(async () => {
    const indexed = await steps.call('index_winner', { seed: input.seed, index: input.index });
    steps.refs.winner_id = indexed.winner_id;
    steps.refs.ad_id = indexed.ad_id;
    steps.refs.asset_key = indexed.asset_key;

    const search = await steps.call('semantic_search', { query: indexed.query, k: K });
    steps.refs.search_cache = search.cache;

    const extraction = await steps.call('pattern_extraction', { winner_id: indexed.winner_id, k: K });
    steps.refs.extraction_id = extraction.extraction_id;

    const dna = await steps.call('creative_dna_extraction', { winner_id: indexed.winner_id });
    steps.refs.dna_id = dna.dna_id;

    await steps.call('knowledge_graph_update', {
      winner_id: indexed.winner_id,
      extraction_id: extraction.extraction_id,
    });

    const perf = await steps.call('vector_search_performance', { queries: BENCHMARK_QUERIES, k: K });
    steps.refs.benchmark_id = perf.benchmark_id;
    return steps.outcome('completed');
  });
}
