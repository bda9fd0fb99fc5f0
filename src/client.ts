import { Command, CommanderError } from 'commander';
import { ConfigError } from './config';
import { FLOW_NAMES } from './flows/catalog';
import { reportCommand, stackCommand, startWorkflowCommand } from './cli/commands';
import { stressSuiteCommand } from './cli/suite-command';
import { parseSuiteOptions } from './cli/suite-options';
import { CommandFailure, EXIT, UsageError } from './cli/errors';
import { userArgs } from './cli/npm-argv';
import { parseStartOptions, START_VALUE_FLAGS } from './cli/start-options';
import { MAX_WORKERS, parseStackOptions, STACK_VALUE_FLAGS } from './cli/stack-options';
import { scheduleAction, scheduleCreate, scheduleDescribe, scheduleList } from './cli/schedule-commands';
import { OVERLAP_POLICIES, parseScheduleCreate } from './cli/schedule-options';
import { MonitoringUnavailable } from './stack/monitoring';
import { PortInUseError } from './stack/ports';
import { TemporalSetupError } from './temporal-errors';
import { BUILT_IN_PROFILES } from './contracts/fault-profile';
import {
  parseCompareOptions,
  parseHistoryOptions,
  parseRunReportOptions,
  REPORT_VALUE_FLAGS,
} from './cli/report-options';
import { checkLimitSteps, compareCommand, historyCommand } from './cli/compare-command';
import { FLOWS } from './flows/catalog';

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

function program(): Command {
  const cli = new Command('geminivideo-sim')
    .description('Stress-tests the GeminiVideo platform flows as durable Temporal workflows')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  const suiteOrFlow = (flow: string | undefined, raw: RawStart) => {
    if (flow === 'all') return stressSuiteCommand(parseSuiteOptions(raw), parseRunReportOptions(raw, true));
    const opts = singleFlowOptions(flow, raw);
    const reports = parseRunReportOptions(raw);
    checkLimitSteps(reports.limits, FLOWS[opts.flow].steps, opts.flow);
    return startWorkflowCommand(opts, reports);
  };
  for (const name of ['start-workflow', 'stress-suite'] as const) {
    const command = cli.command(name);
    if (name === 'start-workflow') {
      command
        .description(`run a stress run of one flow (${FLOW_NAMES.join(', ')}), or of every flow with 'all'`)
        .argument('[flow]', "flow name, or 'all' for the suite");
    } else {
      command.description("run the whole suite: every flow's stress run in one suite workflow (= start-workflow all)");
    }
    command
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
      .option(
        '--chaos <plan>',
        "kill local stack processes during the run: 'kill=ml-service every=20s', 'random every=15s'",
      );
    loadFlags(command, true).action(async (...args: unknown[]) => {
      const [flow, raw] = name === 'stress-suite' ? ['all', args[0]] : [args[0], args[1]];
      process.exitCode = await suiteOrFlow(flow as string | undefined, raw as RawStart);
    });
  }

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

  const schedule = cli.command('schedule').description('stress runs on Temporal Schedules');
  const scheduleCreateCommand = schedule
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
  loadFlags(scheduleCreateCommand, false).action(async (flow: string | undefined, raw: Record<string, unknown>) => {
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
    .action(
      async (o: { faults: string; timeScale: string; monitoring: boolean; temporal: string; workers: string }) => {
        const checked = parseStartOptions(FLOW_NAMES[0], { faults: o.faults, timeScale: o.timeScale });
        const choice = parseStackOptions(o);
        process.exitCode = await stackCommand({
          faults: o.faults,
          timeScale: checked.timeScale,
          monitoring: o.monitoring,
          ...choice,
        });
      },
    );
  return cli;
}

async function run(): Promise<void> {
  const argv = userArgs(process.argv.slice(2), 1, [...START_VALUE_FLAGS, ...REPORT_VALUE_FLAGS, ...STACK_VALUE_FLAGS]);
  await program().parseAsync(argv, { from: 'user' });
}

run().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(EXIT.ok);
    // A command group called without its sub-command: commander has printed the help.
    if (err.code === 'commander.help') process.exit(EXIT.usage);
    process.stderr.write(`${err.message.replace(/^error: /, '')}\n`);
    process.exit(EXIT.usage);
  }
  if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT.usage);
  }
  if (
    err instanceof PortInUseError ||
    err instanceof TemporalSetupError ||
    err instanceof CommandFailure ||
    err instanceof MonitoringUnavailable
  ) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT.failure);
  }
  console.error(err);
  process.exit(EXIT.failure);
});
