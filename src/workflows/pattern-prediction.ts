import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { patternQuestion } from '../flows/pattern-questions';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { PRO_MODULES, type ProModule } from '../services/video-agent/pro-modules';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;

/**
 * A random question (from the run's seed) to the pattern predictor, answered from winning patterns and the
 * knowledge graph; then the edits the answer suggests, applied through the Video Agent in the editor's order.
 * A question the evidence cannot answer ends the flow as a business outcome.
 */
export async function patternPrediction(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const { question, clip } = patternQuestion(input.seed, input.index);
  return steps.guard(async () => {
    const answer = await steps.run('pattern_question', ATTEMPTS, () =>
      fast.pattern_question(steps.context('pattern_question', 'ml-service'), { question }),
    );
    steps.refs.answer_id = answer.answer_id;
    steps.refs.question = question.kind;
    if (!answer.answerable || !answer.suggested_edits.length) return steps.outcome('rejected');

    const order = (module: string) => PRO_MODULES.indexOf(module as ProModule);
    const edits = [...answer.suggested_edits].sort((a, b) => order(a.module) - order(b.module));
    const done = await steps.run('video_edit_operations', ATTEMPTS, () =>
      fast.video_edit_operations(
        steps.context('video_edit_operations', 'drive-intel'),
        steps.context('video_edit_operations', 'video-agent'),
        { clip, edits, answer_id: answer.answer_id },
      ),
    );
    steps.refs.render_job_id = done.render_job_id;
    return steps.outcome('completed');
  });
}
