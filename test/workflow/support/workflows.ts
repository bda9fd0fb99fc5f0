/**
 * The workflow tests' bundle: every project workflow, plus two probes that misuse the step recorder on purpose
 * (an activity the step's catalog entry does not name, a step out of catalog order) to show it refuses them.
 */
import type { FlowInput, FlowOutcome } from '../../../src/flows/types';
import { StepRecorder } from '../../../src/workflows/steps';

export * from '../../../src/workflows';

/** database-operations' crud step calling jsonb's activity. */
export async function undeclaredActivityProbe(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('database-operations', input);
  return steps.guard(async () => {
    await steps.run('crud', (scope) => scope.call('db_jsonb', scope.ctx('postgres')));
    return steps.outcome('completed');
  });
}

/** database-operations' jsonb step, then crud, which the catalog puts before it. */
export async function outOfOrderProbe(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('database-operations', input);
  return steps.guard(async () => {
    await steps.call('jsonb');
    await steps.call('crud');
    return steps.outcome('completed');
  });
}
