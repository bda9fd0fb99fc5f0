import type { CallContext } from '../flows/types';
import { attempted, callService, type HttpDeps } from './http';
import { queueChange, renderBlueprint } from './shared-calls';

/** The creative flow's calls, one activity per step, named after the step so history reads like the flow. */
export function createCreativeActivities(deps: HttpDeps) {
  return {
    video_upload: (ctx: CallContext, input: { source_url: string; duration_seconds: number }) =>
      attempted(() =>
        callService<{ video_id: string; created: boolean }>(deps, 'drive-intel', ctx, 'POST', '/videos', input),
      ),

    scene_extraction: (ctx: CallContext, input: { video_id: string }) =>
      attempted(async () => {
        const r = await callService<{ scenes: unknown[]; features: Record<string, unknown> }>(
          deps,
          'drive-intel',
          ctx,
          'POST',
          `/videos/${input.video_id}/scenes`,
          {},
          60_000,
        );
        return { scene_count: r.scenes.length, features: r.features };
      }),

    ctr_prediction: (ctx: CallContext, input: { video_id: string; ad_id: string }) =>
      attempted(() =>
        callService<{ prediction_id: string; predicted_ctr: number; model_version: string }>(
          deps,
          'ml-service',
          ctx,
          'POST',
          '/predict/ctr',
          input,
        ),
      ),

    council_evaluation: (ctx: CallContext, input: { video_id: string; predicted_ctr: number }) =>
      attempted(() =>
        callService<{ blueprint_id: string; verdict: 'approved' | 'rejected'; score: number }>(
          deps,
          'titan-core',
          ctx,
          'POST',
          '/council/evaluate',
          input,
          40_000,
        ),
      ),

    video_rendering: (ctx: CallContext, input: { blueprint_id: string; source_video_id: string }) =>
      attempted(() => renderBlueprint(deps, ctx, input)),

    meta_queue: (
      ctx: CallContext,
      input: { ad_account_id: string; ad_set_id: string; change_type: 'create_ad'; payload: Record<string, unknown> },
    ) => attempted(() => queueChange(deps, ctx, input)),
  };
}
