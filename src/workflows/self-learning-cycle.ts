import type { FlowInput, FlowOutcome } from '../flows/types';
import { StepRecorder } from './steps';

/** Retrain when the CTR model's mean absolute error on new actuals is above this. */
export const RETRAIN_THRESHOLD = 0.001;

/**
 * One cycle of the seven loops, in order: actuals, accuracy, retraining, compound learning, promotion,
 * cross-account learning, RAG indexing. Every loop writes under its cycle step's key, so a retry never counts twice.
 */
export async function selfLearningCycle(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('self-learning-cycle', input);
  const at = { seed: input.seed, cycle: input.index };
  let learning: FlowOutcome['learning'];
  const outcome = await steps.guard(async () => {
    const actuals = await steps.call('actuals_fetcher', at);
    const accuracy = await steps.call('accuracy_tracker', { ...at, predictions_key: actuals.predictions_key });
    steps.refs.learning_cycle_id = accuracy.learning_cycle_id;
    const retrain = await steps.call('auto_retrain', { ...at, mae: accuracy.mae, threshold: RETRAIN_THRESHOLD });
    learning = {
      cycle: at.cycle,
      model_version: accuracy.model_version,
      mae: accuracy.mae,
      calibration: accuracy.calibration,
      ...(retrain.retrained ? { retrained_to: retrain.model_version } : {}),
    };
    await steps.call('compound_learning', { ...at, learning_cycle_id: accuracy.learning_cycle_id });
    const promoted = await steps.call('auto_promote', at);
    await steps.call('cross_learning', at);
    await steps.call('rag_indexing', { ...at, promotions_key: promoted.promotions_key });
    return steps.outcome('completed');
  });
  return { ...outcome, ...(learning ? { learning } : {}) };
}
