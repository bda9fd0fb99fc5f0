import type { ActivityDeps } from './deps';
import { subContext } from '../flows/call-context';
import type { EditClip } from '../flows/pattern-questions';
import type { CallContext } from '../flows/types';
import type { PatternAnswer, SuggestedEdit } from '../services/ml-service/pattern-answer';
import type { PatternQuestion } from '../services/ml-service/pattern-contract';
import { attempted, callService } from './http';

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
        const video = await callService<{ video_id: string }>(
          deps,
          'drive-intel',
          subContext(driveCtx, 'upload'),
          'POST',
          '/videos',
          input.clip,
        );
        await callService(
          deps,
          'drive-intel',
          subContext(driveCtx, 'scenes'),
          'POST',
          `/videos/${video.video_id}/scenes`,
          {},
          60_000,
        );
        const job = await callService<{ render_job_id: string }>(
          deps,
          'video-agent',
          videoCtx,
          'POST',
          '/render-jobs/edits',
          { source_video_id: video.video_id },
        );
        const applied: Array<{ module: string; output: Record<string, unknown> }> = [];
        for (const edit of input.edits) {
          const done = await callService<{ output: Record<string, unknown> }>(
            deps,
            'video-agent',
            subContext(videoCtx, edit.module),
            'POST',
            `/render-jobs/${job.render_job_id}/modules/${edit.module}`,
            { params: edit.params },
            60_000,
          );
          applied.push({ module: edit.module, output: done.output });
        }
        return { video_id: video.video_id, render_job_id: job.render_job_id, applied };
      }),
  };
}
