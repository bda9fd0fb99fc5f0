/** Service calls that several flows' activities make the same way, written once. */
import type { CallContext } from '../flows/types';
import { callService, type HttpDeps } from './http';

/** A change for Meta Publisher's SafeExecutor to apply when its rules allow. */
export interface QueuedChange {
  ad_account_id: string;
  ad_set_id: string;
  change_type: 'create_ad' | 'budget_update';
  payload: Record<string, unknown>;
}

/** Queues a change on the SafeExecutor (idempotent by the context's key). */
export const queueChange = (deps: HttpDeps, ctx: CallContext, change: QueuedChange) =>
  callService<{ change_id: string; status: string }>(
    deps,
    'meta-publisher',
    ctx,
    'POST',
    '/safe-executor/changes',
    change,
  );

/** Renders an approved blueprint on the Video Agent: a render job that ends with an output video. */
export const renderBlueprint = (
  deps: HttpDeps,
  ctx: CallContext,
  input: { blueprint_id: string; source_video_id: string },
) =>
  callService<{ render_job_id: string; status: string; output_video_id: string }>(
    deps,
    'video-agent',
    ctx,
    'POST',
    '/render-jobs',
    input,
    120_000,
  );
