import type { ServiceRequest } from './requests';
import {
  ctrPredictionRequest,
  queueChangeRequest,
  renderBlueprintRequest,
  sceneExtractionRequest,
  videoUploadRequest,
  type QueuedChange,
} from './shared-requests';

/** The creative flow's calls, one builder per step: its activities and the benchmark's plain runner send these. */
export const creativeRequests = {
  video_upload: videoUploadRequest,
  scene_extraction: (input: { video_id: string }) => sceneExtractionRequest(input.video_id),
  ctr_prediction: ctrPredictionRequest,
  council_evaluation: (input: {
    video_id: string;
    predicted_ctr: number;
  }): ServiceRequest<{ blueprint_id: string; verdict: 'approved' | 'rejected'; score: number }> => ({
    service: 'titan-core',
    method: 'POST',
    path: '/council/evaluate',
    body: input,
    budgetPlatformMs: 40_000,
  }),
  video_rendering: renderBlueprintRequest,
  meta_queue: (input: QueuedChange & { change_type: 'create_ad' }) => queueChangeRequest(input),
};

export type CreativeStep = keyof typeof creativeRequests;
