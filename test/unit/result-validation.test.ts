import { ApplicationFailure } from '@temporalio/common';
import { validateResult } from '../../src/activities/stress-runs';

test('a final result that does not match its schema fails, not retryable, naming what is wrong', () => {
  for (const kind of ['run', 'suite'] as const) {
    let failure: unknown;
    try {
      validateResult(kind, { flow: 'creative-flow', successful: 'many' });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'InvalidResult', nonRetryable: true });
    expect((failure as Error).message).toMatch(kind === 'run' ? /^result failed validation: / : /^suite result failed/);
  }
});
