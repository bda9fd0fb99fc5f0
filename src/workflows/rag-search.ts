import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function ragSearch(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('rag-search is not built yet');
}
