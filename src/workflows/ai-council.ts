import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { hashSeed, pick, seededRng } from '../stats/random';
import { StepRecorder } from './steps';

const OBJECTIVES = ['conversions', 'traffic', 'awareness', 'app_installs'] as const;
const AUDIENCES = ['women 25-34, skincare', 'men 18-24, gaming', 'parents 30-45, home', 'founders, saas'] as const;

/** One flow's campaign brief, from the run's seed and the flow's index. Pure. */
function brief(seed: number, runId: string, index: number) {
  const rng = seededRng(hashSeed(`${seed}:${runId}:${index}:brief`));
  return {
    campaign_name: `campaign ${runId} #${index}`,
    objective: pick(rng, OBJECTIVES),
    audience: pick(rng, AUDIENCES),
    daily_budget: Math.round(50 + rng() * 450),
    duration_seconds: Math.round(15 + rng() * 30),
  };
}

/**
 * The AI Council: the director's battle plan (Titan-Core), the oracle's prediction (ML Service), the
 * council's quorum vote, a Veo generation the flow waits for on durable timers, then the render of the
 * approved plan (Video Agent). A rejected plan ends the flow as a business outcome.
 */
export async function aiCouncil(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('ai-council', input);
  const campaign = brief(input.seed, input.runId, input.index);
  return steps.guard(async () => {
    const plan = await steps.call('director', campaign);
    steps.refs.blueprint_id = plan.blueprint_id;

    const prediction = await steps.call('oracle', {
      video_id: plan.storyboard_video_id,
      ad_id: `ad_${input.runId}_${input.index}`,
    });
    steps.refs.prediction_id = prediction.prediction_id;

    const council = await steps.call('council_of_titans', {
      blueprint_id: plan.blueprint_id,
      predicted_ctr: prediction.predicted_ctr,
      prediction_id: prediction.prediction_id,
    });
    if (council.verdict === 'rejected') return steps.outcome('rejected');

    // Start the generation, then wait durably: a timer until it is due, then a cheap status check.
    const minPollMs = Math.max(50, 5000 * input.sim.timeScale);
    const generated = await steps.run('veo_director', async (step) => {
      const ctx = step.ctx('titan-core');
      let job = await step.call('veo_director', ctx, {
        blueprint_id: plan.blueprint_id,
        prompt: `${String(plan.plan.angle)} ad for ${campaign.audience}, ${String(plan.plan.hook)} hook`,
        duration_seconds: 8,
      });
      steps.refs.veo_job_id = job.veo_job_id;
      while (job.status === 'running') {
        await step.sleep(Math.max(minPollMs, job.remaining_ms));
        job = await step.call('veo_director_status', ctx, job.veo_job_id);
      }
      if (job.status === 'failed' || !job.video_id) {
        throw ApplicationFailure.nonRetryable(`veo job ${job.veo_job_id} ${job.status}`, 'GenerationFailed');
      }
      return { ...job, video_id: job.video_id };
    });
    steps.refs.generated_video_id = generated.video_id;

    const rendered = await steps.call('ultimate_pipeline', {
      blueprint_id: plan.blueprint_id,
      source_video_id: generated.video_id,
    });
    steps.refs.render_job_id = rendered.render_job_id;
    steps.refs.output_video_id = rendered.output_video_id;
    return steps.outcome('completed');
  });
}
