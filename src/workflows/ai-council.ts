import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function aiCouncil(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('ai-council is not built yet');
}
