import type { CallContext } from '../flows/types';
import { creativeRequests as r } from './creative-requests';
import { attempted, type HttpDeps } from './http';
import { send } from './requests';

type InputOf<S extends keyof typeof r> = Parameters<(typeof r)[S]>[0];

/** The creative flow's calls, one activity per step, named after the step so history reads like the flow. */
export function createCreativeActivities(deps: HttpDeps) {
  return {
    video_upload: (ctx: CallContext, input: InputOf<'video_upload'>) =>
      attempted(() => send(deps, ctx, r.video_upload(input))),

    scene_extraction: (ctx: CallContext, input: InputOf<'scene_extraction'>) =>
      attempted(async () => {
        const { scenes, features } = await send(deps, ctx, r.scene_extraction(input));
        return { scene_count: scenes.length, features };
      }),

    ctr_prediction: (ctx: CallContext, input: InputOf<'ctr_prediction'>) =>
      attempted(() => send(deps, ctx, r.ctr_prediction(input))),

    council_evaluation: (ctx: CallContext, input: InputOf<'council_evaluation'>) =>
      attempted(() => send(deps, ctx, r.council_evaluation(input))),

    video_rendering: (ctx: CallContext, input: InputOf<'video_rendering'>) =>
      attempted(() => send(deps, ctx, r.video_rendering(input))),

    meta_queue: (ctx: CallContext, input: InputOf<'meta_queue'>) =>
      attempted(() => send(deps, ctx, r.meta_queue(input))),
  };
}
