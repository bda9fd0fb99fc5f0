import type { CallContext } from '../flows/types';
import { CREATIVE_ACCOUNTS } from '../market/creatives';
import { attempted, type HttpDeps } from './http';
import { poster } from './requests';
import { ingestInsights } from './meta-insights';

export interface Cycle {
  seed: number;
  cycle: number;
}

/** The seven loops of the self-learning cycle, one activity each, named after the loop. */
export function createLearningActivities(deps: HttpDeps) {
  const ml = poster(deps, 'ml-service');
  return {
    /** Launches the cycle's creatives (predicted by the model in service), then pulls their Meta performance. */
    actuals_fetcher: (mlCtx: CallContext, metaCtx: CallContext, input: Cycle) =>
      attempted(async () => {
        const predicted = await ml<{ model_version: string }>(mlCtx, '/learning/predict-batch', input);
        let stored = 0;
        for (const account of CREATIVE_ACCOUNTS) {
          const path = `/v19.0/${account}/insights?level=ad&seed=${input.seed}&cycle=${input.cycle}`;
          stored += (await ingestInsights(deps, metaCtx, mlCtx, path)).stored;
        }
        return { model_version: predicted.model_version, predictions_key: mlCtx.key, stored };
      }),

    accuracy_tracker: (ctx: CallContext, input: Cycle & { predictions_key: string }) =>
      attempted(() =>
        ml<{
          learning_cycle_id: string;
          model_version: string;
          mae: number;
          calibration: number | null;
          samples: number;
        }>(ctx, '/learning/accuracy', input),
      ),

    auto_retrain: (ctx: CallContext, input: Cycle & { mae: number; threshold: number }) =>
      attempted(() =>
        ml<{ retrained: boolean; model_version: string; trained_rows: number }>(ctx, '/learning/retrain', input),
      ),

    compound_learning: (ctx: CallContext, input: Cycle & { learning_cycle_id: string }) =>
      attempted(() => ml<{ patterns: number }>(ctx, '/learning/patterns', input)),

    auto_promote: (ctx: CallContext, input: Cycle) =>
      attempted(async () => {
        const r = await ml<{ decisions: Array<{ decision: string }> }>(ctx, '/learning/promote', input);
        return { promotions_key: ctx.key, promoted: r.decisions.filter((d) => d.decision === 'promote').length };
      }),

    cross_learning: (ctx: CallContext, input: Cycle) =>
      attempted(() => ml<{ patterns: number }>(ctx, '/learning/cross', input)),

    rag_indexing: (ctx: CallContext, input: Cycle & { promotions_key: string }) =>
      attempted(() => ml<{ winners: number; indexed: number }>(ctx, '/learning/rag-index', input)),
  };
}
