import type { BattlePlan, BattlePlanAnswer, Brief, TitanVotesAnswer, VeoStatus } from '../contracts/titan-core';

/** The answers' fields the AI Council flow reads (the contract's answers have these and more). */
type PlanRead = Pick<BattlePlanAnswer, 'blueprint_id' | 'storyboard_video_id'> & { plan: Partial<BattlePlan> };
type VerdictRead = Pick<TitanVotesAnswer, 'verdict' | 'score' | 'approvals' | 'quorum'>;
import type { ActivityDeps } from './deps';
import type { CallContext } from '../flows/types';
import { attempted, callService } from './http';
import { send } from './requests';
import { ctrPredictionRequest, renderBlueprintRequest } from './shared-requests';

/** The AI Council flow's calls: Titan-Core's director, council and Veo, the ML Service's oracle, the Video Agent. */
export function createAiCouncilActivities(deps: ActivityDeps) {
  return {
    director: (ctx: CallContext, input: Brief) =>
      attempted(() => callService<PlanRead>(deps, 'titan-core', ctx, 'POST', '/director/battle-plans', input)),

    oracle: (ctx: CallContext, input: { video_id: string; ad_id: string }) =>
      attempted(() => send(deps, ctx, ctrPredictionRequest(input))),

    council_of_titans: (
      ctx: CallContext,
      input: { blueprint_id: string; predicted_ctr: number; prediction_id: string },
    ) =>
      attempted(() =>
        callService<VerdictRead>(deps, 'titan-core', ctx, 'POST', '/council/titans/votes', input, 40_000),
      ),

    /** Starts the generation only; the workflow waits for it on durable timers. */
    veo_director: (ctx: CallContext, input: { blueprint_id: string; prompt: string; duration_seconds: number }) =>
      attempted(() => callService<VeoStatus>(deps, 'titan-core', ctx, 'POST', '/veo/jobs', input)),

    veo_director_status: (ctx: CallContext, veoJobId: string) =>
      attempted(() => callService<VeoStatus>(deps, 'titan-core', ctx, 'GET', `/veo/jobs/${veoJobId}`)),

    ultimate_pipeline: (ctx: CallContext, input: { blueprint_id: string; source_video_id: string }) =>
      attempted(() => send(deps, ctx, renderBlueprintRequest(input))),
  };
}
