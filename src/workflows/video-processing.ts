import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { creativeInputs } from '../flows/creative-inputs';
import { PRO_MODULES, type ProModule } from '../services/video-agent/pro-modules';
import { STEP_PRESETS } from './step-options';
import { CallTally, StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const resumable = proxyActivities<Activities>(STEP_PRESETS.resumableRender);
const FAST_ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
const RENDER_ATTEMPTS = STEP_PRESETS.resumableRender.retry.maximumAttempts;

const LOOKS = ['punchy', 'warm', 'cinematic', 'neutral'] as const;

/** The editor's choices for one flow's ad: vertical for Reels and Stories, the platform loudness target. */
function moduleParams(module: ProModule, index: number): object {
  switch (module) {
    case 'smart_crop':
      return { aspect_ratio: '9:16' };
    case 'color_grading':
      return { look: LOOKS[index % LOOKS.length] };
    case 'captions':
      return { max_chars: 32, style: index % 2 ? 'block' : 'karaoke' };
    case 'audio_mixing':
      return { target_lufs: -14, true_peak_dbtp: -1 };
    case 'winning_ad_generation':
      return { variant: `v${index}` };
    default:
      return {};
  }
}

/**
 * One source video through Drive Intel (ingestion, scene detection, feature extraction) and the Video
 * Agent's thirteen Pro modules, each a transition of one render job, ending with the rendered ad's video.
 */
export async function videoProcessing(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const inputs = creativeInputs(input.seed, input.runId, input.index);
  return steps.guard(async () => {
    const video = await steps.run('ingestion', FAST_ATTEMPTS, () =>
      fast.ingestion(steps.context('ingestion', 'drive-intel'), {
        source_url: inputs.sourceUrl,
        duration_seconds: inputs.durationSeconds,
      }),
    );
    steps.refs.video_id = video.video_id;
    await steps.run('scene_detection', FAST_ATTEMPTS, () =>
      fast.scene_detection(steps.context('scene_detection', 'drive-intel'), { video_id: video.video_id }),
    );
    await steps.run('feature_extraction', FAST_ATTEMPTS, () =>
      fast.feature_extraction(steps.context('feature_extraction', 'drive-intel'), { video_id: video.video_id }),
    );

    let renderJobId: string | undefined;
    for (const module of PRO_MODULES) {
      const params = moduleParams(module, input.index);
      const attempts = module === 'winning_ad_generation' ? RENDER_ATTEMPTS : FAST_ATTEMPTS;
      const result = await steps.run(module, attempts, async () => {
        // The first module opens the render job the others transition (its retries count for that module).
        const tally = new CallTally();
        if (!renderJobId) {
          const opened = await tally.add(
            fast.render_job_open(steps.context('render_job', 'video-agent'), {
              source_video_id: video.video_id,
              spec: { aspect_ratio: '9:16' },
            }),
          );
          renderJobId = opened.render_job_id;
          steps.refs.render_job_id = renderJobId;
        }
        const ctx = steps.context(module, 'video-agent');
        const applied = await tally.add(
          module === 'winning_ad_generation'
            ? resumable.winning_ad_generation(ctx, { render_job_id: renderJobId, params })
            : fast[module](ctx, { render_job_id: renderJobId, params }),
        );
        return tally.done(applied);
      });
      if (result.output_video_id) steps.refs.output_video_id = result.output_video_id;
    }
    return steps.outcome('completed');
  });
}
