import type { HttpDeps } from '../activities/http';
import { callService } from '../activities/http';
import { creativeInputs } from '../flows/creative-inputs';
import type { CallContext, SimSettings } from '../flows/types';
import type { ServiceName } from '../services/catalog';

/**
 * The creative flow's HTTP calls made straight from this process, with no orchestration, no
 * retries and no durability: the baseline the benchmark compares Temporal against.
 */
export async function plainCreativeFlow(
  deps: HttpDeps,
  sim: SimSettings,
  runId: string,
  index: number,
  seed: number,
  onStep: (step: string, ms: number) => void,
): Promise<'completed' | 'rejected'> {
  const inputs = creativeInputs(seed, runId, index);
  const ctx = (step: string, service: ServiceName): CallContext => ({
    key: `${runId}-${index}:${step}`,
    faults: sim.faults[service],
    timeScale: sim.timeScale,
  });
  const timed = async <T>(step: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await call();
    onStep(step, performance.now() - started);
    return value;
  };
  const upload = await timed('video_upload', () =>
    callService<{ video_id: string }>(deps, 'drive-intel', ctx('video_upload', 'drive-intel'), 'POST', '/videos', {
      source_url: inputs.sourceUrl,
      duration_seconds: inputs.durationSeconds,
    }),
  );
  await timed('scene_extraction', () =>
    callService(
      deps,
      'drive-intel',
      ctx('scene_extraction', 'drive-intel'),
      'POST',
      `/videos/${upload.video_id}/scenes`,
      {},
    ),
  );
  const prediction = await timed('ctr_prediction', () =>
    callService<{ predicted_ctr: number }>(
      deps,
      'ml-service',
      ctx('ctr_prediction', 'ml-service'),
      'POST',
      '/predict/ctr',
      {
        video_id: upload.video_id,
        ad_id: inputs.adId,
      },
    ),
  );
  const council = await timed('council_evaluation', () =>
    callService<{ blueprint_id: string; verdict: string }>(
      deps,
      'titan-core',
      ctx('council_evaluation', 'titan-core'),
      'POST',
      '/council/evaluate',
      { video_id: upload.video_id, predicted_ctr: prediction.predicted_ctr },
    ),
  );
  if (council.verdict === 'rejected') return 'rejected';
  const job = await timed('video_rendering', () =>
    callService<{ output_video_id: string }>(
      deps,
      'video-agent',
      ctx('video_rendering', 'video-agent'),
      'POST',
      '/render-jobs',
      {
        blueprint_id: council.blueprint_id,
        source_video_id: upload.video_id,
      },
    ),
  );
  await timed('meta_queue', () =>
    callService(deps, 'meta-publisher', ctx('meta_queue', 'meta-publisher'), 'POST', '/safe-executor/changes', {
      ad_account_id: inputs.adAccountId,
      ad_set_id: inputs.adSetId,
      change_type: 'create_ad',
      payload: { ad_id: inputs.adId, video_id: job.output_video_id, blueprint_id: council.blueprint_id },
    }),
  );
  return 'completed';
}
