import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function patternPrediction(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('pattern-prediction is not built yet');
}
