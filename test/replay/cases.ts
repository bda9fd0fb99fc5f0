/**
 * The recorded histories the replay test replays: each case is one workflow started with a fixed id and input
 * on a dev server with STUB activities. `scripts/record-histories.ts` records them; `replay.test.ts` replays them.
 */
import path from 'node:path';
import { FLOW_NAMES, FLOWS } from '../../src/flows/catalog';
import type { FlowInput } from '../../src/flows/types';
import { parseThreshold } from '../../src/result/thresholds';
import type { StressRunInput } from '../../src/workflows/stress-run';
import type { StressSuiteInput } from '../../src/workflows/stress-suite';
import { SIM } from '../workflow/support/env';
import type { StubPlans } from '../workflow/support/stubs';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

export interface ReplayCase {
  /** The fixture's name: `<name>.json`, or `<name>.run-<n>.json` for each run of a continue-as-new chain. */
  name: string;
  workflowType: string;
  args: unknown[];
  /** How the stubs answer (made afresh per recording, as an answer may count its calls). */
  plans?: () => StubPlans;
  /**
   * Set for a continue-as-new chain: the fewest runs it must have. Every run is a fixture; how the starts of a
   * paced schedule fall into runs depends on how quickly the worker answered, so the count may be higher.
   */
  minRuns?: number;
}

/** The workflow id a case is recorded under (replay gives it back: a workflow may read its own id). */
export const workflowIdOf = (c: ReplayCase): string => `replay-${c.name}`;

/** The fixture file of run `run` (from 1) of a case. */
export const fixtureFile = (c: ReplayCase, run = 1): string =>
  c.minRuns === undefined ? `${c.name}.json` : `${c.name}.run-${run}.json`;

/** The run (from 1) a file in the histories folder holds for the case, if it is one of the case's fixtures. */
export function runOf(c: ReplayCase, file: string): number | undefined {
  if (c.minRuns === undefined) return file === fixtureFile(c) ? 1 : undefined;
  const m = /^(.+)\.run-([1-9]\d*)\.json$/.exec(file);
  return m && m[1] === c.name ? Number(m[2]) : undefined;
}

const flowInput = (name: string, extra: Partial<FlowInput> = {}): FlowInput => ({
  runId: `replay-${name}`,
  index: 0,
  seed: 7,
  sim: SIM,
  ...extra,
});

const flowCase = (flow: (typeof FLOW_NAMES)[number]): ReplayCase => ({
  name: `flow-${flow}`,
  workflowType: FLOWS[flow].workflowType,
  args: [flowInput(`flow-${flow}`)],
});

// Each stress run's flows hold their first step a while, so flows are in flight when the parent continues as new.
const slowFirstStep = (): StubPlans => ({
  pattern_question: { before: () => new Promise((resolve) => setTimeout(resolve, 1200)) },
});

function stressRun(name: string, extra: Partial<StressRunInput>): StressRunInput {
  return {
    flow: 'pattern-prediction',
    runId: `replay-${name}`,
    count: 3,
    concurrency: 2,
    seed: 7,
    faultsName: 'none',
    sim: SIM,
    ...extra,
  };
}

const suiteRun = (flow: 'pattern-prediction' | 'database-operations') =>
  stressRun(`stress-suite-${flow}`, { flow, count: 2 }) as StressSuiteInput['runs'][number];

export const REPLAY_CASES: ReplayCase[] = [
  // Every flow down its full path.
  ...FLOW_NAMES.map(flowCase),
  // A step failing for good ends the flow failed.
  {
    name: 'flow-database-operations-step-fails',
    workflowType: 'databaseOperations',
    args: [flowInput('flow-database-operations-step-fails')],
    plans: () => ({ db_crud: { fail: 'always', nonRetryable: true } }),
  },
  // Quick steps as local activities: markers in history instead of activity tasks.
  {
    name: 'flow-database-operations-local-activities',
    workflowType: 'databaseOperations',
    args: [flowInput('flow-database-operations-local-activities', { sim: { ...SIM, localActivities: true } })],
  },
  // The SafeExecutor's change is looked at on durable timers until it ends.
  {
    name: 'flow-budget-optimization-waits',
    workflowType: 'budgetOptimization',
    args: [flowInput('flow-budget-optimization-waits')],
    plans: () => {
      const statuses = ['queued', 'processing', 'executed'];
      let looks = 0;
      return {
        change_status: {
          answer: () => ({ status: statuses[Math.min(looks++, 2)], last_error: null, executed_at: null }),
        },
      };
    },
  },
  // The closed model: `count` flows, at most `concurrency` at once.
  {
    name: 'stress-run-closed',
    workflowType: 'stressRun',
    args: [stressRun('stress-run-closed', {})],
  },
  // The closed model continuing as new: it drains its flows first.
  {
    name: 'stress-run-closed-continue-as-new',
    workflowType: 'stressRun',
    args: [stressRun('stress-run-closed-continue-as-new', { count: 4, childrenPerRun: 2 })],
    minRuns: 2,
  },
  // The open model: 5 starts at 2/s, continuing as new every 2 children with flows in flight (three runs when each
  // pacing tick makes one start, fewer when a slow worker makes several at once).
  {
    name: 'stress-run-open-continue-as-new',
    workflowType: 'stressRun',
    args: [
      stressRun('stress-run-open-continue-as-new', {
        load: { model: 'open', start_rate: 2, stages: [{ duration_ms: 2500, target_rate: 2 }], max_in_flight: 10 },
        childrenPerRun: 2,
      }),
    ],
    plans: slowFirstStep,
    minRuns: 2,
  },
  // A breakpoint search of two steps (3 starts at 2/s, then 6 at 4/s): it continues as new between the steps,
  // then within the second with flows in flight.
  {
    name: 'stress-run-breakpoint',
    workflowType: 'stressRun',
    args: [
      stressRun('stress-run-breakpoint', {
        load: {
          model: 'breakpoint',
          start_rate: 2,
          step_factor: 2,
          hold_ms: 1500,
          max_steps: 2,
          max_in_flight: 20,
          thresholds: [parseThreshold('success_rate>=90')],
        },
        childrenPerRun: 3,
      }),
    ],
    plans: slowFirstStep,
    minRuns: 3,
  },
  // The suite: two stress runs as children, one of whose flows all fail.
  {
    name: 'stress-suite',
    workflowType: 'stressSuite',
    args: [
      {
        runs: [suiteRun('pattern-prediction'), suiteRun('database-operations')],
        thresholds: ['success_rate>=90', 'pattern_question.retries<=0'].map(parseThreshold),
      } satisfies StressSuiteInput,
    ],
    plans: () => ({ db_crud: { fail: 'always', nonRetryable: true } }),
  },
];
