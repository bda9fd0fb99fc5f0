import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function metaApi(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('meta-api is not built yet');
}
