import { creativeRequests, type CreativeStep } from '../activities/creative-requests';
import type { HttpDeps } from '../activities/http';
import { send, type AnswerOf, type ServiceRequest } from '../activities/requests';
import { creativeInputs } from '../flows/creative-inputs';
import { callDraw } from '../flows/draws';
import type { SimSettings } from '../flows/types';

type Builders = typeof creativeRequests;

/**
 * The creative flow's HTTP calls made straight from this process, with no orchestration, no retries and no
 * durability: the baseline the benchmark compares Temporal against. It sends the requests the activities build.
 */
export async function plainCreativeFlow(
  deps: HttpDeps,
  sim: SimSettings,
  runId: string,
  index: number,
  seed: number,
  onStep: (step: CreativeStep, ms: number) => void,
): Promise<'completed' | 'rejected'> {
  const inputs = creativeInputs(seed, runId, index);
  const step = async <S extends CreativeStep>(
    name: S,
    input: Parameters<Builders[S]>[0],
  ): Promise<AnswerOf<ReturnType<Builders[S]>>> => {
    // TypeScript cannot follow a generic key through the builders' union: the cast names what the key picks.
    const build = creativeRequests[name] as (i: typeof input) => ServiceRequest<AnswerOf<ReturnType<Builders[S]>>>;
    const request = build(input);
    const ctx = {
      key: `${runId}-${index}:${name}`,
      faults: sim.faults[request.service],
      timeScale: sim.timeScale,
      // The draw the flow's own step sends: the same latencies as the same flow through Temporal.
      draw: callDraw('creative-flow', seed, index, name),
    };
    const started = performance.now();
    const value = await send(deps, ctx, request);
    onStep(name, performance.now() - started);
    return value;
  };
  const upload = await step('video_upload', {
    source_url: inputs.sourceUrl,
    duration_seconds: inputs.durationSeconds,
  });
  await step('scene_extraction', { video_id: upload.video_id });
  const prediction = await step('ctr_prediction', { video_id: upload.video_id, ad_id: inputs.adId });
  const council = await step('council_evaluation', {
    video_id: upload.video_id,
    predicted_ctr: prediction.predicted_ctr,
  });
  if (council.verdict === 'rejected') return 'rejected';
  const job = await step('video_rendering', { blueprint_id: council.blueprint_id, source_video_id: upload.video_id });
  await step('meta_queue', {
    ad_account_id: inputs.adAccountId,
    ad_set_id: inputs.adSetId,
    change_type: 'create_ad',
    payload: { ad_id: inputs.adId, video_id: job.output_video_id, blueprint_id: council.blueprint_id },
  });
  return 'completed';
}
