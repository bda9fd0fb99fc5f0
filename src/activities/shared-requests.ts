/** Service calls that several flows' activities make the same way, each built once. */
import { DRIVE_INTEL_ROUTES } from '../contracts/drive-intel';
import { VIDEO_AGENT_ROUTES } from '../contracts/video-agent';
import { routeOf, type ServiceRequest } from './requests';

/** A change for Meta Publisher's SafeExecutor to apply when its rules allow. */
export interface QueuedChange {
  ad_account_id: string;
  ad_set_id: string;
  change_type: 'create_ad' | 'budget_update';
  payload: Record<string, unknown>;
}

/** Queues a change on the SafeExecutor (idempotent by the context's key). */
export const queueChangeRequest = (change: QueuedChange): ServiceRequest<{ change_id: string; status: string }> => ({
  service: 'meta-publisher',
  method: 'POST',
  path: '/safe-executor/changes',
  body: change,
});

/** Renders an approved blueprint on the Video Agent: a render job that ends with an output video. */
export const renderBlueprintRequest = (input: {
  blueprint_id: string;
  source_video_id: string;
}): ServiceRequest<{ render_job_id: string; status: string; output_video_id: string }> => ({
  ...routeOf('video-agent', VIDEO_AGENT_ROUTES.render),
  body: input,
  budgetPlatformMs: 120_000,
});

/** Drive Intel takes in a video by its source address. */
export const videoUploadRequest = (input: {
  source_url: string;
  duration_seconds: number;
}): ServiceRequest<{ video_id: string; created: boolean }> => ({
  ...routeOf('drive-intel', DRIVE_INTEL_ROUTES.upload),
  body: input,
});

/** Drive Intel's scene analysis of an uploaded video (slow: a minute of platform time). */
export const sceneExtractionRequest = (
  videoId: string,
): ServiceRequest<{ scenes: unknown[]; features: Record<string, unknown> }> => ({
  ...routeOf('drive-intel', DRIVE_INTEL_ROUTES.scenes, { id: videoId }),
  body: {},
  budgetPlatformMs: 60_000,
});

/** The ML Service's CTR prediction for a video as an ad. */
export const ctrPredictionRequest = (input: {
  video_id: string;
  ad_id: string;
}): ServiceRequest<{ prediction_id: string; predicted_ctr: number; model_version: string }> => ({
  service: 'ml-service',
  method: 'POST',
  path: '/predict/ctr',
  body: input,
});

/** Opens an edit job on the Video Agent for a source video, to apply Pro modules to. */
export const editJobRequest = (input: {
  source_video_id: string;
  spec?: { aspect_ratio: string };
}): ServiceRequest<{ render_job_id: string; status: string }> => ({
  ...routeOf('video-agent', VIDEO_AGENT_ROUTES.openEdit),
  body: input,
});

/** Applies one Pro module to an open edit job on the Video Agent. */
export const applyModuleRequest = <T>(renderJobId: string, module: string, params: object): ServiceRequest<T> => ({
  ...routeOf('video-agent', VIDEO_AGENT_ROUTES.applyModule, { id: renderJobId, module }),
  body: { params },
  budgetPlatformMs: 60_000,
});
