import type { ActivityDeps } from './deps';
import type { CallContext } from '../flows/types';
import { PRO_MODULES, type ProModule } from '../contracts/video-agent-modules';
import { attempted, attemptedWithProgress, callService } from './http';
import { send } from './requests';
import { applyModuleRequest, editJobRequest, sceneExtractionRequest } from './shared-requests';

type StepModule = Exclude<ProModule, 'winning_ad_generation'>;

/** What the Video Agent answers for a module: the job's state and the module's output. */
export interface ModuleResult {
  render_job_id: string;
  module: ProModule;
  status: string;
  output_video_id: string | null;
  output: Record<string, unknown>;
}

/** Where a winning-ad render got to: the next segment to render, out of how many. */
interface SegmentProgress {
  next: number;
  total: number;
}

/**
 * The video-processing flow's calls: Drive Intel's ingestion and analysers, then the Video Agent's Pro
 * modules, one activity per module, named after its step. winning_ad_generation renders in segments and
 * heartbeats the last one done, so a retry on another worker resumes there.
 */
export function createVideoProcessingActivities(deps: ActivityDeps) {
  const applyModule = (module: ProModule, ctx: CallContext, input: { render_job_id: string; params?: object }) =>
    send(deps, ctx, applyModuleRequest<ModuleResult>(input.render_job_id, module, input.params ?? {}));
  const modules = Object.fromEntries(
    PRO_MODULES.filter((m): m is StepModule => m !== 'winning_ad_generation').map((module) => [
      module,
      (ctx: CallContext, input: { render_job_id: string; params?: object }) =>
        attempted(() => applyModule(module, ctx, input)),
    ]),
  ) as Record<
    StepModule,
    (ctx: CallContext, input: { render_job_id: string; params?: object }) => ReturnType<typeof attempted<ModuleResult>>
  >;

  return {
    ingestion: (ctx: CallContext, input: { source_url: string; duration_seconds: number }) =>
      attempted(() =>
        callService<{ video_id: string; media: Record<string, unknown>; created: boolean }>(
          deps,
          'drive-intel',
          ctx,
          'POST',
          '/ingestions',
          input,
        ),
      ),

    scene_detection: (ctx: CallContext, input: { video_id: string }) =>
      attempted(async () => {
        const r = await send(deps, ctx, sceneExtractionRequest(input.video_id));
        return { scene_count: r.scenes.length };
      }),

    feature_extraction: (ctx: CallContext, input: { video_id: string }) =>
      attempted(() =>
        callService<{ object_labels: string[]; ocr_texts: number; transcript_words: number; speech_ratio: number }>(
          deps,
          'drive-intel',
          ctx,
          'POST',
          `/videos/${input.video_id}/features`,
          {},
          60_000,
        ),
      ),

    render_job_open: (ctx: CallContext, input: { source_video_id: string; spec: { aspect_ratio: string } }) =>
      attempted(() => send(deps, ctx, editJobRequest(input))),

    ...modules,

    winning_ad_generation: (ctx: CallContext, input: { render_job_id: string; params?: object }) =>
      attemptedWithProgress<ModuleResult & { resumed_from: number }, SegmentProgress>(async (progress) => {
        const resumedFrom = progress.resumeFrom?.next ?? 0;
        let { next, total } = progress.resumeFrom ?? { next: 0, total: Number.POSITIVE_INFINITY };
        while (next < total) {
          const r = await callService<{ segments_total: number }>(
            deps,
            'video-agent',
            ctx,
            'POST',
            `/render-jobs/${input.render_job_id}/modules/winning_ad_generation/segments/${next}`,
            { attempt: progress.attempt, resumed_from: resumedFrom },
            30_000,
          );
          total = r.segments_total;
          next += 1;
          progress.report({ next, total });
        }
        const done = await applyModule('winning_ad_generation', ctx, input);
        return { ...done, resumed_from: resumedFrom };
      }),
  };
}
