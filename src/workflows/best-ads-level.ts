import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function bestAdsLevel(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('best-ads-level is not built yet');
}
