import fs from 'node:fs';
import path from 'node:path';
import { standardResultSchema } from '../../src/result/schema';
import { SERVICE_NAMES, SERVICES } from '../../src/services/catalog';
import { portInUse } from '../../src/stack/ports';
import { TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';
import { runCommand } from '../support/spawn';

/**
 * A new user's sequence with nothing running: `start-workflow` brings up a stack for the run and stops it, then
 * `report` answers from stress_runs (starting only PostgreSQL, for the query), and `schedule` says plainly that
 * schedules need Temporal. The CLI's own stack gets ports of its own through GEMINIVIDEO_PORT_OFFSET.
 */
const OFFSET = TEST_PORT_OFFSET + 300;
let dataDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(TEST_DATA_DIR, 'offline-'));
  fs.chmodSync(dataDir, 0o755);
  // Nothing points at the shared test stack: no TEMPORAL_*, DATABASE_URL or SERVICE_URL_*.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_(?!CLI_PATH)|DATABASE_URL|SERVICE_URL_)/.test(k)),
  );
  Object.assign(env, { GEMINIVIDEO_DATA_DIR: dataDir, GEMINIVIDEO_PORT_OFFSET: String(OFFSET) });
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const npmRun = (script: string, args: string[]) => runCommand('npm', ['run', '--silent', script, ...args], env);
const lines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));
const ports = [7233, 8233, 5433, ...SERVICE_NAMES.map((s) => SERVICES[s].port)].map((p) => p + OFFSET);

test('report answers from stress_runs after the stack started for the run has stopped; schedule says it needs Temporal', async () => {
  const ran = path.join(dataDir, 'ran.json');
  const run = await npmRun('start-workflow', [
    'creative-flow',
    '--count',
    '3',
    '--time-scale',
    '0.01',
    '--faults',
    'none',
    '--json',
    ran,
  ]);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  expect(run.stderr).toContain('bringing up the whole stack for this run');
  const result = standardResultSchema.parse(JSON.parse(fs.readFileSync(ran, 'utf8')));
  for (const port of ports) expect({ port, inUse: await portInUse(port) }).toEqual({ port, inUse: false });

  const reported = path.join(dataDir, 'reported.json');
  const report = await npmRun('report', [result.run_id, '--json', reported]);
  expect({ code: report.code, stderr: report.stderr }).toMatchObject({ code: 0 });
  expect(lines(report.stderr)[0]).toBe(
    `no Temporal server answers at 127.0.0.1:${7233 + OFFSET}: answering from stress_runs, with the project's ` +
      `PostgreSQL (${path.join(dataDir, 'postgres')}) started for this query only`,
  );
  expect(report.stdout).toContain(`creative-flow  run ${result.run_id}  (completed)`);
  expect(report.stdout).not.toContain('Web UI');
  expect(standardResultSchema.parse(JSON.parse(fs.readFileSync(reported, 'utf8')))).toEqual(result);
  // Only PostgreSQL was started, and it is stopped again.
  for (const port of ports) expect({ port, inUse: await portInUse(port) }).toEqual({ port, inUse: false });

  const unknown = await npmRun('report', ['no-such-run']);
  expect(unknown.code).toBe(2);
  expect(lines(unknown.stderr).at(-1)).toBe("no run 'no-such-run' in stress_runs");

  for (const args of [
    ['schedule', 'list'],
    ['schedule', 'describe', 'nightly'],
    ['report', '--latest', 'nightly'],
  ]) {
    const { code, stderr } = await npmRun(args[0], args.slice(1));
    expect({ args, code, lines: lines(stderr) }).toEqual({
      args,
      code: 1,
      lines: [
        expect.stringMatching(
          new RegExp(`^no Temporal server answers at 127\\.0\\.0\\.1:${7233 + OFFSET}, and schedules live in Temporal`),
        ),
      ],
    });
  }
}, 480_000); // a whole stack starts and stops inside it

test('with no stored results anywhere, report says so in one line', async () => {
  const empty = fs.mkdtempSync(path.join(TEST_DATA_DIR, 'offline-empty-'));
  try {
    const { code, stderr } = await runCommand('npm', ['run', '--silent', 'report', 'some-run'], {
      ...env,
      GEMINIVIDEO_DATA_DIR: empty,
    });
    expect({ code, lines: lines(stderr) }).toEqual({
      code: 1,
      lines: [
        `no Temporal server answers at 127.0.0.1:${7233 + OFFSET}, and no results are stored to answer from: ` +
          `no DATABASE_URL, and no PostgreSQL data in ${path.join(empty, 'postgres')}`,
      ],
    });
    // history and compare find their database the same way, and say as plainly that there is none.
    for (const args of [
      ['history', 'creative-flow'],
      ['compare', 'latest:creative-flow', 'latest:meta-api'],
    ]) {
      const asked = await runCommand('npm', ['run', '--silent', ...args], { ...env, GEMINIVIDEO_DATA_DIR: empty });
      expect({ args, code: asked.code, lines: lines(asked.stderr) }).toEqual({
        args,
        code: 1,
        lines: [
          "no PostgreSQL is running ('npm run stack' starts one), and no results are stored to answer from: " +
            `no DATABASE_URL, and no PostgreSQL data in ${path.join(empty, 'postgres')}`,
        ],
      });
    }
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
