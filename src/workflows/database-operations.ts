import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowOutcome } from '../flows/types';

/** Placeholder until the flow is built. */
export async function databaseOperations(): Promise<FlowOutcome> {
  throw ApplicationFailure.nonRetryable('database-operations is not built yet');
}
