import type { ActivityDeps } from './deps';
import { subContext } from '../flows/call-context';
import type { EditClip } from '../flows/pattern-questions';
import type { CallContext } from '../flows/types';
import type { PatternAnswer, PatternQuestion, SuggestedEdit } from '../contracts/ml-service';
import { attempted, callService } from './http';
import { send } from './requests';
import { applyModuleRequest, editJobRequest, sceneExtractionRequest, videoUploadRequest } from './shared-requests';

/** The pattern predictor's question, then the edits it suggests applied through the Video Agent. */
export function createPatternPredictionActivities(deps: ActivityDeps) {
  return {
    pattern_question: (ctx: CallContext, input: { question: PatternQuestion }) =>
      attempted(() =>
        callService<PatternAnswer & { answer_id: string }>(deps, 'ml-service', ctx, 'POST', '/patterns/predict', input),
      ),

    /**
     * Uploads and analyzes the clip (Drive Intel), opens an edit job on it and applies each suggested module
     * (Video Agent). Every call has its own key derived from the step's, so a retry repeats none of them.
     */
    video_edit_operations: (
      driveCtx: CallContext,
      videoCtx: CallContext,
      input: { clip: EditClip; edits: SuggestedEdit[]; answer_id: string },
    ) =>
      attempted(async () => {
        const video = await send(deps, subContext(driveCtx, 'upload'), videoUploadRequest(input.clip));
        await send(deps, subContext(driveCtx, 'scenes'), sceneExtractionRequest(video.video_id));
        const job = await send(deps, videoCtx, editJobRequest({ source_video_id: video.video_id }));
        const applied: Array<{ module: string; output: Record<string, unknown> }> = [];
        for (const edit of input.edits) {
          const done = await send(
            deps,
            subContext(videoCtx, edit.module),
            applyModuleRequest<{ output: Record<string, unknown> }>(job.render_job_id, edit.module, edit.params),
          );
          applied.push({ module: edit.module, output: done.output });
        }
        return { video_id: video.video_id, render_job_id: job.render_job_id, applied };
      }),
  };
}
