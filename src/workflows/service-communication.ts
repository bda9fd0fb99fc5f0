import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function serviceCommunication(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('service-communication is not built yet');
}
