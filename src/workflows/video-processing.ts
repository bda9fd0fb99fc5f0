import type { FlowInput, FlowOutcome } from '../flows/types';
import { creativeInputs } from '../flows/creative-inputs';
import { PRO_MODULES, type ProModule } from '../contracts/video-agent-modules';
import { StepRecorder } from './steps';

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
  const steps = new StepRecorder('video-processing', input);
  const inputs = creativeInputs(input.seed, input.runId, input.index);
  return steps.guard(async () => {
    const video = await steps.call('ingestion', {
      source_url: inputs.sourceUrl,
      duration_seconds: inputs.durationSeconds,
    });
    steps.refs.video_id = video.video_id;
    await steps.call('scene_detection', { video_id: video.video_id });
    await steps.call('feature_extraction', { video_id: video.video_id });

    let renderJobId: string | undefined;
    for (const module of PRO_MODULES) {
      const params = moduleParams(module, input.index);
      const result = await steps.run(module, async (step) => {
        // The first module opens the render job the others transition (its retries count for that module).
        if (!renderJobId) {
          const opened = await step.call('render_job_open', step.ctx('video-agent', 'render_job'), {
            source_video_id: video.video_id,
            spec: { aspect_ratio: '9:16' },
          });
          renderJobId = opened.render_job_id;
          steps.refs.render_job_id = renderJobId;
        }
        return step.call(module, step.ctx('video-agent'), { render_job_id: renderJobId, params });
      });
      if (result.output_video_id) steps.refs.output_video_id = result.output_video_id;
    }
    return steps.outcome('completed');
  });
}
