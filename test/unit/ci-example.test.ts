import fs from 'node:fs';
import path from 'node:path';
import { parse as parseShell } from 'shell-quote';
import { parse as parseYaml } from 'yaml';
import { parseRunReportOptions } from '../../src/cli/report-options';
import { parseSuiteOptions } from '../../src/cli/suite-options';
import { SERVICE_NAMES, serviceUrlEnvName } from '../../src/services/catalog';
import { ROOT, runCommand } from '../support/spawn';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}
const workflow = parseYaml(fs.readFileSync(path.join(ROOT, 'examples/ci/stress-suite.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { env: Record<string, string>; steps: Step[] }>;
};
const scripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const job = Object.values(workflow.jobs)[0];

/** Every `npm run <script> …` the workflow's steps run, as the shell splits it (continuations joined). */
function npmRuns(): Array<{ script: string; args: string[] }> {
  const out: Array<{ script: string; args: string[] }> = [];
  for (const step of job.steps) {
    if (!step.run) continue;
    for (const line of step.run.replace(/\\\n/g, ' ').split('\n')) {
      // Variables stay as written; operators (&, >, |, ;) end a command.
      const tokens = parseShell(line, (name) => `$${name}`);
      let command: string[] = [];
      for (const token of [...tokens, { op: ';' }]) {
        if (typeof token === 'string') {
          command.push(token);
          continue;
        }
        if (command[0] === 'npm' && command[1] === 'run') {
          const args = command.slice(3);
          out.push({ script: command[2], args: args[0] === '--' ? args.slice(1) : args });
        }
        command = [];
      }
    }
  }
  return out;
}

/** The values given to a repeatable flag. */
const values = (args: string[], flag: string) => args.flatMap((a, i) => (a === `--${flag}` ? [args[i + 1]] : []));

test('the workflow is triggered by hand and on a schedule, and points the run at a deployment', () => {
  expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['workflow_dispatch', 'schedule']));
  const names = ['TEMPORAL_ADDRESS', 'DATABASE_URL', ...SERVICE_NAMES.map(serviceUrlEnvName)];
  for (const name of names) expect(job.env).toHaveProperty(name);
});

test('every npm script it runs exists in package.json, and takes every flag it passes', async () => {
  const runs = npmRuns();
  expect(runs.map((r) => r.script)).toEqual(['worker', 'stress-suite']);
  for (const { script, args } of runs) {
    expect(scripts).toHaveProperty(script);
    const flags = args.filter((a) => a.startsWith('--')).map((a) => a.replace(/=.*$/, ''));
    if (!flags.length) continue;
    const help = await runCommand('npm', ['run', '--silent', script, '--', '--help'], process.env);
    expect(help.code).toBe(0);
    for (const flag of new Set(flags))
      expect({ flag, known: help.stdout.includes(`${flag} `) }).toEqual({ flag, known: true });
  }
}, 60_000);

test("the suite's thresholds and regression limits are ones the command accepts", () => {
  const { args } = npmRuns().find((r) => r.script === 'stress-suite')!;
  expect(values(args, 'threshold').length).toBeGreaterThan(0);
  expect(values(args, 'max-regression').length).toBeGreaterThan(0);
  const suite = parseSuiteOptions({ threshold: values(args, 'threshold') });
  expect(suite.thresholds.map((t) => t.text)).toEqual(values(args, 'threshold'));
  // The output files' folder is made by the step itself, so check the options without their paths.
  const reports = parseRunReportOptions(
    { baseline: values(args, 'baseline')[0], maxRegression: values(args, 'max-regression') },
    true,
  );
  expect(reports).toMatchObject({ baseline: 'latest' });
  expect(reports.limits.map((l) => l.text)).toEqual(values(args, 'max-regression'));
});

test('the JSON, JUnit and HTML files the suite writes are uploaded as artifacts, even when the run fails', () => {
  const { args } = npmRuns().find((r) => r.script === 'stress-suite')!;
  const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
  expect(upload).toBeDefined();
  expect(upload).toMatchObject({ if: 'always()' });
  const uploaded = upload.with!.path.split('\n').map((p) => p.trim());
  for (const flag of ['json', 'junit', 'html']) {
    const [file] = values(args, flag);
    expect(file).toBeDefined();
    expect(uploaded).toContain(file);
  }
});
