import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function realtimeFeedback(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('realtime-feedback is not built yet');
}
