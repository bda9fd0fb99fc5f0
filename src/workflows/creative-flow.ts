import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { creativeInputs } from '../flows/creative-inputs';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const render = proxyActivities<Activities>(STEP_PRESETS.slowRender);
const FAST_ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
const RENDER_ATTEMPTS = STEP_PRESETS.slowRender.retry.maximumAttempts;

/**
 * One creative generation: upload and scene extraction (Drive Intel), CTR prediction (ML Service),
 * AI Council evaluation (Titan-Core), rendering (Video Agent), then the SafeExecutor queue (Meta Publisher).
 * A council rejection ends the flow as a business outcome.
 */
export async function creativeFlow(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const inputs = creativeInputs(input.seed, input.runId, input.index);
  const outcome = await steps.guard(async () => {
    const upload = await steps.run('video_upload', FAST_ATTEMPTS, () =>
      fast.video_upload(steps.context('video_upload', 'drive-intel'), {
        source_url: inputs.sourceUrl,
        duration_seconds: inputs.durationSeconds,
      }),
    );
    steps.refs.video_id = upload.video_id;

    await steps.run('scene_extraction', FAST_ATTEMPTS, () =>
      fast.scene_extraction(steps.context('scene_extraction', 'drive-intel'), { video_id: upload.video_id }),
    );

    const prediction = await steps.run('ctr_prediction', FAST_ATTEMPTS, () =>
      fast.ctr_prediction(steps.context('ctr_prediction', 'ml-service'), {
        video_id: upload.video_id,
        ad_id: inputs.adId,
      }),
    );
    steps.refs.prediction_id = prediction.prediction_id;

    const council = await steps.run('council_evaluation', FAST_ATTEMPTS, () =>
      fast.council_evaluation(steps.context('council_evaluation', 'titan-core'), {
        video_id: upload.video_id,
        predicted_ctr: prediction.predicted_ctr,
      }),
    );
    steps.refs.blueprint_id = council.blueprint_id;
    if (council.verdict === 'rejected') return steps.outcome('rejected');

    const job = await steps.run('video_rendering', RENDER_ATTEMPTS, () =>
      render.video_rendering(steps.context('video_rendering', 'video-agent'), {
        blueprint_id: council.blueprint_id,
        source_video_id: upload.video_id,
      }),
    );
    steps.refs.render_job_id = job.render_job_id;

    const change = await steps.run('meta_queue', FAST_ATTEMPTS, () =>
      fast.meta_queue(steps.context('meta_queue', 'meta-publisher'), {
        ad_account_id: inputs.adAccountId,
        ad_set_id: inputs.adSetId,
        change_type: 'create_ad',
        payload: { ad_id: inputs.adId, video_id: job.output_video_id, blueprint_id: council.blueprint_id },
      }),
    );
    steps.refs.change_id = change.change_id;
    return steps.outcome('completed');
  });
  return outcome;
}
