import type { FlowInput, FlowOutcome } from '../flows/types';
import { creativeInputs } from '../flows/creative-inputs';
import { StepRecorder } from './steps';

/**
 * One creative generation: upload and scene extraction (Drive Intel), CTR prediction (ML Service),
 * AI Council evaluation (Titan-Core), rendering (Video Agent), then the SafeExecutor queue (Meta Publisher).
 * A council rejection ends the flow as a business outcome.
 */
export async function creativeFlow(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('creative-flow', input);
  const inputs = creativeInputs(input.seed, input.runId, input.index);
  return steps.guard(async () => {
    const upload = await steps.call('video_upload', {
      source_url: inputs.sourceUrl,
      duration_seconds: inputs.durationSeconds,
    });
    steps.refs.video_id = upload.video_id;

    await steps.call('scene_extraction', { video_id: upload.video_id });

    const prediction = await steps.call('ctr_prediction', { video_id: upload.video_id, ad_id: inputs.adId });
    steps.refs.prediction_id = prediction.prediction_id;

    const council = await steps.call('council_evaluation', {
      video_id: upload.video_id,
      predicted_ctr: prediction.predicted_ctr,
    });
    steps.refs.blueprint_id = council.blueprint_id;
    if (council.verdict === 'rejected') return steps.outcome('rejected');

    const job = await steps.call('video_rendering', {
      blueprint_id: council.blueprint_id,
      source_video_id: upload.video_id,
    });
    steps.refs.render_job_id = job.render_job_id;

    const change = await steps.call('meta_queue', {
      ad_account_id: inputs.adAccountId,
      ad_set_id: inputs.adSetId,
      change_type: 'create_ad',
      payload: { ad_id: inputs.adId, video_id: job.output_video_id, blueprint_id: council.blueprint_id },
    });
    steps.refs.change_id = change.change_id;
    return steps.outcome('completed');
  });
}
