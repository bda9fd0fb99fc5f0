import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
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
  const steps = new StepRecorder(input.sim);
  return steps.guard(async () => {
    const indexed = await steps.run('index_winner', ATTEMPTS, () =>
      fast.index_winner(steps.context('index_winner', 'ml-service'), { seed: input.seed, index: input.index }),
    );
    steps.refs.winner_id = indexed.winner_id;
    steps.refs.ad_id = indexed.ad_id;
    steps.refs.asset_key = indexed.asset_key;

    const search = await steps.run('semantic_search', ATTEMPTS, () =>
      fast.semantic_search(steps.context('semantic_search', 'ml-service'), { query: indexed.query, k: K }),
    );
    steps.refs.search_cache = search.cache;

    const extraction = await steps.run('pattern_extraction', ATTEMPTS, () =>
      fast.pattern_extraction(steps.context('pattern_extraction', 'ml-service'), {
        winner_id: indexed.winner_id,
        k: K,
      }),
    );
    steps.refs.extraction_id = extraction.extraction_id;

    const dna = await steps.run('creative_dna_extraction', ATTEMPTS, () =>
      fast.creative_dna_extraction(steps.context('creative_dna_extraction', 'ml-service'), {
        winner_id: indexed.winner_id,
      }),
    );
    steps.refs.dna_id = dna.dna_id;

    await steps.run('knowledge_graph_update', ATTEMPTS, () =>
      fast.knowledge_graph_update(steps.context('knowledge_graph_update', 'ml-service'), {
        winner_id: indexed.winner_id,
        extraction_id: extraction.extraction_id,
      }),
    );

    const perf = await steps.run('vector_search_performance', ATTEMPTS, () =>
      fast.vector_search_performance(steps.context('vector_search_performance', 'ml-service'), {
        queries: BENCHMARK_QUERIES,
        k: K,
      }),
    );
    steps.refs.benchmark_id = perf.benchmark_id;
    return steps.outcome('completed');
  });
}
