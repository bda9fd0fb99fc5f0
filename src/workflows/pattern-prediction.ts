import { patternQuestion } from '../flows/pattern-questions';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { PRO_MODULES, type ProModule } from '../contracts/video-agent-modules';
import { StepRecorder } from './steps';

/**
 * A random question (from the run's seed) to the pattern predictor, answered from winning patterns and the
 * knowledge graph; then the edits the answer suggests, applied through the Video Agent in the editor's order.
 * A question the evidence cannot answer ends the flow as a business outcome.
 */
export async function patternPrediction(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('pattern-prediction', input);
  const { question, clip } = patternQuestion(input.seed, input.index);
  return steps.guard(async () => {
    const answer = await steps.call('pattern_question', { question });
    steps.refs.answer_id = answer.answer_id;
    steps.refs.question = question.kind;
    if (!answer.answerable || !answer.suggested_edits.length) return steps.outcome('rejected');

    const order = (module: string) => PRO_MODULES.indexOf(module as ProModule);
    const edits = [...answer.suggested_edits].sort((a, b) => order(a.module) - order(b.module));
    const done = await steps.call('video_edit_operations', { clip, edits, answer_id: answer.answer_id });
    steps.refs.render_job_id = done.render_job_id;
    return steps.outcome('completed');
  });
}
