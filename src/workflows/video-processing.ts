import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function videoProcessing(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('video-processing is not built yet');
}
