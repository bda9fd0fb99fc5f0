import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
/** Retrain when the CTR model's mean absolute error on new actuals is above this. */
export const RETRAIN_THRESHOLD = 0.001;

/**
 * One cycle of the seven loops, in order: actuals, accuracy, retraining, compound learning, promotion,
 * cross-account learning, RAG indexing. Every loop writes under its cycle step's key, so a retry never counts twice.
 */
export async function selfLearningCycle(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const at = { seed: input.seed, cycle: input.index };
  let learning: FlowOutcome['learning'];
  const outcome = await steps.guard(async () => {
    const actuals = await steps.run('actuals_fetcher', ATTEMPTS, () =>
      fast.actuals_fetcher(
        steps.context('actuals_fetcher', 'ml-service'),
        steps.context('actuals_fetcher', 'meta-publisher'),
        at,
      ),
    );
    const accuracy = await steps.run('accuracy_tracker', ATTEMPTS, () =>
      fast.accuracy_tracker(steps.context('accuracy_tracker', 'ml-service'), {
        ...at,
        predictions_key: actuals.predictions_key,
      }),
    );
    steps.refs.learning_cycle_id = accuracy.learning_cycle_id;
    const retrain = await steps.run('auto_retrain', ATTEMPTS, () =>
      fast.auto_retrain(steps.context('auto_retrain', 'ml-service'), {
        ...at,
        mae: accuracy.mae,
        threshold: RETRAIN_THRESHOLD,
      }),
    );
    learning = {
      cycle: at.cycle,
      model_version: accuracy.model_version,
      mae: accuracy.mae,
      calibration: accuracy.calibration,
      ...(retrain.retrained ? { retrained_to: retrain.model_version } : {}),
    };
    await steps.run('compound_learning', ATTEMPTS, () =>
      fast.compound_learning(steps.context('compound_learning', 'ml-service'), {
        ...at,
        learning_cycle_id: accuracy.learning_cycle_id,
      }),
    );
    const promoted = await steps.run('auto_promote', ATTEMPTS, () =>
      fast.auto_promote(steps.context('auto_promote', 'ml-service'), at),
    );
    await steps.run('cross_learning', ATTEMPTS, () =>
      fast.cross_learning(steps.context('cross_learning', 'ml-service'), at),
    );
    await steps.run('rag_indexing', ATTEMPTS, () =>
      fast.rag_indexing(steps.context('rag_indexing', 'ml-service'), {
        ...at,
        promotions_key: promoted.promotions_key,
      }),
    );
    return steps.outcome('completed');
  });
  return { ...outcome, ...(learning ? { learning } : {}) };
}
