import { Command } from 'commander';
import { FLOW_NAMES, FLOWS } from '../flows/catalog';
import { BUILT_IN_PROFILES } from '../contracts/fault-profile';
import { stackCommand, startWorkflowCommand } from './commands';
import { reportCommand } from './report-command';
import { rerunCommand } from './rerun-command';
import { parseRerunOptions } from './rerun-options';
import { checkLimitSteps, compareCommand, historyCommand } from './compare-command';
import { controlCommand } from './control-command';
import { parseControlOptions, type RawControl } from './control-options';
import { UsageError } from './errors';
import { parseCompareOptions, parseHistoryOptions, parseRunReportOptions } from './report-options';
import { scheduleAction, scheduleCreate, scheduleDescribe, scheduleList } from './schedule-commands';
import { OVERLAP_POLICIES, parseScheduleCreate } from './schedule-options';
import { MAX_WORKERS, parseStackOptions } from './stack-options';
import { parseStartOptions } from './start-options';
import { stressSuiteCommand } from './suite-command';
import { parseSuiteOptions } from './suite-options';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Flags the suite takes per flow (N or FLOW=N, repeatable); a single run takes each once. */
const PER_FLOW_FLAGS = ['count', 'concurrency', 'rate', 'duration', 'stages', 'maxInFlight'] as const;
type PerFlowFlag = (typeof PER_FLOW_FLAGS)[number];

type RawStart = Record<string, unknown> & Record<PerFlowFlag, string[]> & { flows?: string };

/** One flow's options: the suite's per-flow and repeated forms make no sense here. */
function singleFlowOptions(flow: string | undefined, raw: RawStart) {
  const single: Record<string, string | undefined> = {};
  for (const flag of PER_FLOW_FLAGS) {
    const name = `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (raw[flag].length > 1) throw new UsageError(`${name} given ${raw[flag].length} times; give it once`);
    if (raw[flag].some((v) => /^[a-z-]+=/.test(v))) {
      throw new UsageError(`${name} ${raw[flag][0]}: FLOW=VALUE is for the suite ('start-workflow all')`);
    }
    single[flag] = raw[flag][0];
  }
  if (raw.flows) throw new UsageError("--flows is for the suite ('start-workflow all')");
  return parseStartOptions(flow, { ...raw, ...single });
}

/** `start-workflow <flow>` runs one flow; `all` (or `stress-suite`) runs the suite. */
function suiteOrFlow(flow: string | undefined, raw: RawStart): Promise<number> {
  if (flow === 'all') return stressSuiteCommand(parseSuiteOptions(raw), parseRunReportOptions(raw, true));
  const opts = singleFlowOptions(flow, raw);
  const reports = parseRunReportOptions(raw);
  checkLimitSteps(reports.limits, FLOWS[opts.flow].steps, opts.flow);
  return startWorkflowCommand(opts, reports);
}

/** Adds the load-shape flags (see docs/load-shapes.md) to a command; `perFlow` makes the suite's repeatable. */
function loadFlags(command: Command, perFlow: boolean): Command {
  const each = perFlow ? '; for the suite V or FLOW=V (repeatable)' : '';
  const opt = (flags: string, text: string) =>
    perFlow ? command.option(flags, text + each, collect, []) : command.option(flags, text);
  opt('--rate <r>', 'open model: flows started per second (with --duration or --count)');
  opt('--duration <d>', 'how long to offer load, e.g. 90s, 10m (without --rate: closed model for a time)');
  opt('--stages <list>', "open model ramps, e.g. '30s:2/s,2m:10/s,30s:0/s'");
  opt('--max-in-flight <n>', 'open model: flows in progress at most; starts past it are dropped (default 500)');
  return command
    .option('--find-breakpoint', 'ramp the rate up in steps until a step fails a --threshold')
    .option('--start-rate <r>', 'breakpoint search: the first step’s rate (default 1/s)')
    .option('--step-factor <f>', 'breakpoint search: each step’s rate over the last (default 1.5)')
    .option('--hold <d>', 'breakpoint search: how long each step holds (default 30s)')
    .option('--max-steps <n>', 'breakpoint search: steps at most (default 10)');
}

/** The flags of a run and its reports, shared by `start-workflow` and `stress-suite`. */
function runFlags(command: Command): Command {
  return command
    .option(
      '--count <n>',
      "flows to run; for the suite N or FLOW=N (repeatable; default: each flow's own)",
      collect,
      [],
    )
    .option('--concurrency <n>', 'flows running at once; for the suite N or FLOW=N (repeatable)', collect, [])
    .option('--flows <list>', 'the suite only: comma-separated flows to run (default: all)')
    .option('--time-scale <f>', "platform time multiplier (default: the flow's, 0.05 for creative-flow)")
    .option('--faults <profile>', `${Object.keys(BUILT_IN_PROFILES).join(', ')}, or a JSON file`, 'default')
    .option('--seed <n>', 'seed for the simulated inputs')
    .option('--json <file>', 'also write the result as JSON')
    .option('--threshold <expr>', "pass criterion, e.g. 'success_rate>=95' (repeatable)", collect, [])
    .option('--baseline <run>', "compare with 'latest' (the flow's previous run), a run id or latest:<flow>")
    .option('--max-regression <limit>', "with --baseline: e.g. 'p95=15%', 'success_rate=1' (repeatable)", collect, [])
    .option('--junit <file>', 'also write JUnit XML: a test case per flow and per threshold')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--local-activities', 'run the quick steps as local activities: faster, less detail in history')
    .option('--monitoring', "with no stack running: the run's own stack runs Prometheus too (docs/monitoring.md)")
    .option(
      '--chaos <plan>',
      "kill stack processes or cut links during the run: 'kill=ml-service every=20s', 'random every=15s', " +
        "'kill=worker-2 at=10s; partition=worker-1,temporal-frontend at=40s for=20s' (docs/supervision-and-chaos.md)",
    );
}

/** `start-workflow [flow]` and `stress-suite`. */
function addRunCommands(cli: Command): void {
  const single = cli
    .command('start-workflow')
    .description(`run a stress run of one flow (${FLOW_NAMES.join(', ')}), or of every flow with 'all'`)
    .argument('[flow]', "flow name, or 'all' for the suite");
  loadFlags(runFlags(single), true).action(async (flow: string | undefined, raw: RawStart) => {
    process.exitCode = await suiteOrFlow(flow, raw);
  });
  const suite = cli
    .command('stress-suite')
    .description("run the whole suite: every flow's stress run in one suite workflow (= start-workflow all)");
  loadFlags(runFlags(suite), true).action(async (raw: RawStart) => {
    process.exitCode = await suiteOrFlow('all', raw);
  });
}

/** `report`, `compare` and `history`: what past runs left. */
function addReportCommands(cli: Command): void {
  cli
    .command('report')
    .description('print the result of a past or running run')
    .argument('[run-id]')
    .option('--latest <schedule-id>', "the schedule's most recent run")
    .option('--json <file>', 'also write it as JSON')
    .option('--html <file>', 'also write it as a self-contained HTML report')
    .action(async (runId: string | undefined, o: { json?: string; latest?: string; html?: string }) => {
      const { html } = parseRunReportOptions({ html: o.html });
      process.exitCode = await reportCommand({ runId, latest: o.latest }, o.json, html);
    });
  cli
    .command('compare')
    .description('two runs side by side from stress_runs, with the change in percent')
    .argument('[baseline]', 'run id or latest:<flow>')
    .argument('[run]', 'run id or latest:<flow>')
    .option('--max-regression <limit>', "exit 99 past e.g. 'p95=15%' or 'success_rate=1' (repeatable)", collect, [])
    .option('--html <file>', 'also write the comparison as a self-contained HTML report')
    .action(async (baseline: unknown, run: unknown, raw: Record<string, unknown>) => {
      process.exitCode = await compareCommand(parseCompareOptions(baseline, run, raw));
    });
  cli
    .command('history')
    .description("a flow's past runs over time from stress_runs")
    .argument('[flow]', 'flow name')
    .option('--limit <n>', 'how many of the most recent runs', '20')
    .action(async (flow: unknown, raw: Record<string, unknown>) => {
      process.exitCode = await historyCommand(parseHistoryOptions(flow, raw));
    });
}

/** `rerun <run-id>`: resets a finished run's failed flows to their failed step (docs/investigating.md). */
function addRerunCommand(cli: Command): void {
  cli
    .command('rerun')
    .description("finish a run's failed flows on the platform as it is now: each reset to its failed step")
    .argument('[run-id]')
    .option('--dry-run', 'list the flows it would reset, their failed step and reset event; reset nothing')
    .action(async (runId: unknown, raw: { dryRun?: unknown }) => {
      process.exitCode = await rerunCommand(parseRerunOptions(runId, raw));
    });
}

/** `schedule create|list|describe|pause|unpause|trigger|delete`. */
function addScheduleCommands(cli: Command): void {
  const schedule = cli.command('schedule').description('stress runs on Temporal Schedules');
  const create = schedule
    .command('create')
    .argument('[flow]', 'flow name')
    .option('--every <interval>', 'run every 30s, 15m, 1h, 1d …')
    .option('--cron <expr>', "run on a cron expression, e.g. '0 * * * *'")
    .option('--id <name>', 'schedule id')
    .option('--overlap <policy>', `when a run is still going: ${OVERLAP_POLICIES.join(', ')}`, 'skip')
    .option('--count <n>', 'flows per run')
    .option('--concurrency <n>', 'flows running at once')
    .option('--time-scale <f>', 'platform time multiplier')
    .option('--faults <profile>', 'fault profile', 'default')
    .option('--seed <n>', 'seed for the simulated inputs');
  loadFlags(create, false).action(async (flow: string | undefined, raw: Record<string, unknown>) => {
    process.exitCode = await scheduleCreate(parseScheduleCreate(flow, raw));
  });
  schedule.command('list').action(async () => {
    process.exitCode = await scheduleList();
  });
  schedule
    .command('describe')
    .argument('<id>')
    .action(async (id: string) => {
      process.exitCode = await scheduleDescribe(id);
    });
  for (const verb of ['pause', 'unpause', 'trigger', 'delete'] as const) {
    schedule
      .command(verb)
      .argument('<id>')
      .option('--note <text>', 'why (pause and unpause)')
      .action(async (id: string, o: { note?: string }) => {
        process.exitCode = await scheduleAction(verb, id, o.note);
      });
  }
}

/** `control <run-id> pause|resume|stop|set`: steers a running run through its Temporal Updates. */
function addControlCommand(cli: Command): void {
  cli
    .command('control')
    .description('steer a running run: pause, resume, stop, or set its rate, concurrency or max in flight')
    .argument('[run-id]', "a run's id; a suite's reaches its running flow, a schedule's its latest run")
    .argument('[action]', 'pause, resume, stop or set')
    .option('--rate <r>', 'set: an open run’s flows started per second from now on')
    .option('--concurrency <n>', 'set: a closed run’s flows at once')
    .option('--max-in-flight <n>', 'set: an open run’s (or a breakpoint search’s) cap on flows in flight')
    .action(async (id: unknown, action: unknown, raw: RawControl) => {
      process.exitCode = await controlCommand(parseControlOptions(id, action, raw));
    });
}

interface RawStack {
  faults: string;
  timeScale: string;
  monitoring: boolean;
  temporal: string;
  workers: string;
  hosts: boolean;
}

/** `stack`: everything up until Ctrl-C. */
function addStackCommand(cli: Command): void {
  cli
    .command('stack')
    .description('start Temporal, PostgreSQL, the six services and the workers until Ctrl-C')
    .option('--faults <profile>', 'the services own fault profile when a call names none', 'none')
    .option('--time-scale <f>', 'the services own time scale when a call names none', '1')
    .option('--monitoring', 'also run a Prometheus (Debian package) scraping every process', false)
    .option(
      '--temporal <server>',
      "'dev' (the CLI's dev server) or 'cluster' (the official server on PostgreSQL)",
      'dev',
    )
    .option('--workers <n>', `worker processes (1 to ${MAX_WORKERS})`, '1')
    .option('--hosts', 'with --temporal cluster: each part in a network namespace of its own (root, ip)', false)
    .action(async (o: RawStack) => {
      const checked = parseStartOptions(FLOW_NAMES[0], { faults: o.faults, timeScale: o.timeScale });
      const choice = parseStackOptions(o);
      process.exitCode = await stackCommand({
        faults: o.faults,
        timeScale: checked.timeScale,
        monitoring: o.monitoring,
        ...choice,
      });
    });
}

/** The whole command line: every command, its flags and the action it runs. */
export function program(): Command {
  const cli = new Command('geminivideo-sim')
    .description('Stress-tests the GeminiVideo platform flows as durable Temporal workflows')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  addRunCommands(cli);
  addReportCommands(cli);
  addRerunCommand(cli);
  addScheduleCommands(cli);
  addStackCommand(cli);
  addControlCommand(cli);
  return cli;
}
