import { randomUUID } from 'node:crypto';
import { useTestStack, testStackEnv } from '../support/stack';
import { runCommand } from '../support/spawn';

const stack = useTestStack();

const schedule = (args: string[]) => runCommand('npm', ['run', '--silent', 'schedule', '--', ...args], testStackEnv());

/** Polls until `check` holds: the real condition, not a fixed sleep. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const storedRuns = async (id: string) =>
  (
    await stack.pool.query<{ run_id: string; completed: number }>(
      `SELECT run_id, (result->>'completed_operations')::int AS completed FROM stress_runs WHERE run_id LIKE $1 ORDER BY finished_at`,
      [`${id}-%`],
    )
  ).rows;

test('a schedule runs the stress run repeatedly, pause stops it, trigger runs at once, delete removes it', async () => {
  const id = `test-schedule-${randomUUID().slice(0, 8)}`;
  await stack.withWorker(async () => {
    const created = await schedule([
      'create',
      'creative-flow',
      '--every',
      '2s',
      '--count',
      '2',
      '--concurrency',
      '2',
      '--time-scale',
      '0.01',
      '--faults',
      'none',
      '--id',
      id,
    ]);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain(`created schedule ${id}`);

    // At least two runs, each stored with its full result.
    const runs = await until('two scheduled runs stored', async () => {
      const rows = await storedRuns(id);
      return rows.length >= 2 && rows;
    });
    for (const run of runs) expect(run.completed).toBe(2);

    expect((await schedule(['pause', id, '--note', 'paused by the test'])).code).toBe(0);
    const handle = stack.client.schedule.getHandle(id);
    const paused = await handle.describe();
    expect(paused.state).toMatchObject({ paused: true, note: 'paused by the test' });
    // A run the schedule had already started may still be finishing; then nothing new may start.
    await until('in-flight runs to finish', async () => (await handle.describe()).info.runningActions.length === 0);
    const taken = (await handle.describe()).info.numActionsTaken;
    await new Promise((resolve) => setTimeout(resolve, 5000)); // two and a half intervals, paused
    expect((await handle.describe()).info.numActionsTaken).toBe(taken);

    expect((await schedule(['trigger', id])).code).toBe(0);
    await until('the triggered run', async () => (await handle.describe()).info.numActionsTaken === taken + 1);
    const latest = (await handle.describe()).info.recentActions.at(-1)!.action.workflow.workflowId;
    await until('the triggered run stored', async () => (await storedRuns(id)).some((r) => r.run_id === latest));

    const report = await runCommand('npm', ['run', '--silent', 'report', '--', '--latest', id], testStackEnv());
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`run ${latest}  (completed)`);

    const described = await schedule(['describe', id]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/state: paused \(paused by the test\)/);
    expect(described.stdout).toContain(`${latest}  completed, 2/2 flows, success rate 100%`);

    // The run and its flows carry the search attributes the Web UI filters on.
    const children = await stack.client.workflow.count(`StressRunId="${latest}" AND FlowName="creative-flow"`);
    expect(children.count).toBe(3); // the parent and its two flows
  });

  expect((await schedule(['delete', id])).code).toBe(0);
  const gone = await schedule(['describe', id]);
  expect(gone.code).toBe(2);
  expect(gone.stderr.trim()).toBe(`no schedule '${id}'`);
});

test('a cron schedule is created, described with its expression and its next runs, and deleted', async () => {
  const id = `test-cron-${randomUUID().slice(0, 8)}`;
  const created = await schedule([
    'create',
    'creative-flow',
    '--cron',
    '0 * * * *',
    '--count',
    '3',
    '--id',
    id,
    '--overlap',
    'buffer_one',
  ]);
  expect(created.code).toBe(0);
  const described = await schedule(['describe', id]);
  expect(described.code).toBe(0);
  expect(described.stdout).toContain(`schedule ${id}: creative-flow ×3 at concurrency 10, cron '0 * * * *'`);
  expect(described.stdout).toMatch(/overlap BUFFER_ONE/);
  // The next runs fall on the hour.
  const next = described.stdout.split('next runs:')[1].trim().split('\n')[0].trim();
  expect(next).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
  const listed = await schedule(['list']);
  expect(listed.stdout).toContain(id);
  expect((await schedule(['delete', id])).code).toBe(0);
});

test.each([
  [['create', 'creative-flo', '--every', '1h'], /^unknown flow 'creative-flo'/],
  [['create', 'creative-flow', '--every', '5x'], /^bad interval '5x'/],
  [['create', 'creative-flow', '--cron', '61 * * * *'], /^bad cron '61 \* \* \* \*'/],
  [['create', 'creative-flow'], /^give exactly one of --every/],
  [
    ['create', 'creative-flow', '--every', '1h', '--overlap', 'sometimes'],
    /^bad --overlap 'sometimes': valid are skip/,
  ],
  [['pause', 'no-such-schedule'], /^no schedule 'no-such-schedule'/],
  [['trigger', 'no-such-schedule'], /^no schedule 'no-such-schedule'/],
])('schedule %j exits 2 with one clear line', async (args, message) => {
  const { code, stderr } = await schedule(args);
  expect(code).toBe(2);
  const lines = stderr.split('\n').filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
});
