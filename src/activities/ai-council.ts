import type { ActivityDeps } from './deps';
import type { CallContext } from '../flows/types';
import { attempted, callService } from './http';
import { send } from './requests';
import { ctrPredictionRequest, renderBlueprintRequest } from './shared-requests';

interface VeoStatus {
  veo_job_id: string;
  status: 'running' | 'completed' | 'failed';
  video_id: string | null;
  /** Real ms until the generation is due, by the service's clock. */
  remaining_ms: number;
}

/** The AI Council flow's calls: Titan-Core's director, council and Veo, the ML Service's oracle, the Video Agent. */
export function createAiCouncilActivities(deps: ActivityDeps) {
  return {
    director: (
      ctx: CallContext,
      input: {
        campaign_name: string;
        objective: string;
        audience: string;
        daily_budget: number;
        duration_seconds: number;
      },
    ) =>
      attempted(() =>
        callService<{ blueprint_id: string; storyboard_video_id: string; plan: Record<string, unknown> }>(
          deps,
          'titan-core',
          ctx,
          'POST',
          '/director/battle-plans',
          input,
        ),
      ),

    oracle: (ctx: CallContext, input: { video_id: string; ad_id: string }) =>
      attempted(() => send(deps, ctx, ctrPredictionRequest(input))),

    council_of_titans: (
      ctx: CallContext,
      input: { blueprint_id: string; predicted_ctr: number; prediction_id: string },
    ) =>
      attempted(() =>
        callService<{ verdict: 'approved' | 'rejected'; score: number; approvals: number; quorum: number }>(
          deps,
          'titan-core',
          ctx,
          'POST',
          '/council/titans/votes',
          input,
          40_000,
        ),
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
