/**
 * Replays every recorded history (test/replay/histories, written by `npm run record-histories`) against the
 * workflow bundle the worker runs. A change to workflow code that a run already in history could not follow (a
 * run alive across a deploy, a schedule's next run, a chain continuing as new) fails here. No server is needed.
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../../src/workflow-bundle';
import { HISTORIES_DIR, REPLAY_CASES, runOf, workflowIdOf, type ReplayCase } from './cases';
import { historyFromJson, type History } from './history-json';

interface Fixture {
  file: string;
  replayCase: ReplayCase;
  run: number;
}

const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).sort() : [];

/** A case's fixtures, first run to last. */
function fixturesOf(replayCase: ReplayCase): Fixture[] {
  return files
    .map((file) => ({ file, replayCase, run: runOf(replayCase, file) ?? 0 }))
    .filter((f) => f.run > 0)
    .sort((a, b) => a.run - b.run);
}

const fixtures = REPLAY_CASES.flatMap(fixturesOf);
// The replay worker's comings and goings are noise; a non-determinism is reported as a warning too, and failed below.
beforeAll(() => Runtime.install({ logger: new DefaultLogger('WARN') }));
const histories = new Map<string, History>(
  fixtures.map((f) => [f.file, historyFromJson(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f.file), 'utf8')))]),
);

test('every case has its fixtures (every run of a chain), of its workflow type, and no file is left over', () => {
  const problems: string[] = [];
  for (const c of REPLAY_CASES) {
    const runs = fixturesOf(c).map((f) => f.run);
    const fewest = c.minRuns ?? 1;
    if (!runs.length) problems.push(`${c.name}: no fixture (npm run record-histories records it)`);
    else if (runs.length < fewest || runs.some((r, i) => r !== i + 1)) {
      problems.push(`${c.name}: runs ${runs.join(', ')}; a chain needs runs 1, 2, 3… and at least ${fewest}`);
    }
  }
  for (const f of fixtures) {
    const started = histories.get(f.file)?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const type = started?.workflowType?.name;
    if (type !== f.replayCase.workflowType)
      problems.push(`${f.file}: a ${type} history, not ${f.replayCase.workflowType}`);
  }
  const stray = files.filter((file) => !REPLAY_CASES.some((c) => runOf(c, file) !== undefined));
  expect({ problems, stray }).toEqual({ problems: [], stray: [] });
});

test('every fixture replays against the current workflow bundle without non-determinism', async () => {
  expect(fixtures.length).toBeGreaterThan(0);
  const { codePath } = await workflowBundle();
  const replays = Worker.runReplayHistories(
    { workflowBundle: { codePath }, replayName: 'replay-test' },
    fixtures.map((f) => ({ workflowId: workflowIdOf(f.replayCase), history: histories.get(f.file)! })),
  );
  const failures: string[] = [];
  let replayed = 0;
  // Histories replay one at a time, in the order given: the n-th result is the n-th fixture's.
  for await (const result of replays) {
    if (result.error) failures.push(`${fixtures[replayed].file}: ${result.error.name}: ${result.error.message}`);
    replayed++;
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(fixtures.length);
});
