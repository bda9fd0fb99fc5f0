import { executeChild, isCancellation, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { checkThresholds, type Threshold } from '../result/thresholds';
import { FLOWS } from '../flows/catalog';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../flows/search-attributes';
import type { StandardResult } from '../result/schema';
import type { SuiteFlowEntry, SuiteResult } from '../result/suite-schema';
import { suiteSummaryQuery } from './definitions';
import { validated } from './result-check';
import type { stressRun, StressRunInput } from './stress-run';

export interface StressSuiteInput {
  /** Each flow's stress run, in order; each names its run id (the child's workflow id). */
  runs: Array<StressRunInput & { runId: string }>;
  thresholds: Threshold[];
}

/** The thresholds that apply to a flow: every top-level one, and step ones for steps the flow has. */
function applicable(result: StandardResult, thresholds: Threshold[]): Threshold[] {
  const steps: readonly string[] = FLOWS[result.flow as keyof typeof FLOWS]?.steps ?? [];
  return thresholds.filter((t) => !t.metric.includes('.') || steps.includes(t.metric.split('.')[0]));
}

/**
 * The whole suite as one durable workflow: each flow's stress run in turn as a child (so every flow is
 * measured on its own, and each run is an ordinary run with its own id, query and stored result), then
 * one verdict against the thresholds. A flow whose run fails is recorded and the suite goes on.
 */
export async function stressSuite(input: StressSuiteInput): Promise<SuiteResult> {
  const suiteId = workflowInfo().workflowId;
  upsertSearchAttributes([
    { key: FLOW_NAME, value: 'suite' },
    { key: STRESS_RUN_ID, value: suiteId },
  ]);
  const startedAt = Date.now();
  const entries: SuiteFlowEntry[] = input.runs.map((r) => ({ flow: r.flow, run_id: r.runId, status: 'pending' }));
  const end: { at?: number } = {};
  const summary = (): SuiteResult => {
    const done = end.at !== undefined;
    return {
      suite_id: suiteId,
      status: done ? 'completed' : 'running',
      verdict: done ? (entries.every((e) => e.passed) ? 'passed' : 'failed') : 'pending',
      thresholds: input.thresholds.map((t) => t.text),
      total_duration_seconds: ((end.at ?? Date.now()) - startedAt) / 1000,
      flows: entries,
    };
  };
  setHandler(suiteSummaryQuery, summary);

  for (const [i, run] of input.runs.entries()) {
    entries[i] = { ...entries[i], status: 'running' };
    try {
      const result = await executeChild<typeof stressRun>('stressRun', {
        workflowId: run.runId,
        args: [run],
        typedSearchAttributes: [
          { key: FLOW_NAME, value: run.flow },
          { key: STRESS_RUN_ID, value: run.runId },
        ],
      });
      const checks = checkThresholds(result, applicable(result, input.thresholds)).map((c) => ({
        threshold: c.threshold.text,
        actual: c.actual ?? null,
        passed: c.passed,
      }));
      entries[i] = { ...entries[i], status: 'completed', result, checks, passed: checks.every((c) => c.passed) };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = (err as { cause?: Error }).cause;
      entries[i] = { ...entries[i], status: 'failed', error: (cause ?? (err as Error)).message, passed: false };
    }
  }

  end.at = Date.now();
  const final = summary();
  await validated('suite', final);
  upsertSearchAttributes([{ key: RUN_OUTCOME, value: final.verdict === 'passed' ? 'passed' : 'had_failures' }]);
  return final;
}
