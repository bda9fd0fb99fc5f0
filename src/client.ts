import { Command, CommanderError } from 'commander';
import { FLOW_NAMES } from './flows/catalog';
import { reportCommand, stackCommand, startWorkflowCommand } from './cli/commands';
import { stressSuiteCommand } from './cli/suite-command';
import { parseSuiteOptions } from './cli/suite-options';
import { EXIT, UsageError } from './cli/errors';
import { userArgs } from './cli/npm-argv';
import { parseStartOptions, START_VALUE_FLAGS } from './cli/start-options';
import { scheduleAction, scheduleCreate, scheduleDescribe, scheduleList } from './cli/schedule-commands';
import { OVERLAP_POLICIES, parseScheduleCreate } from './cli/schedule-options';
import { PortInUseError } from './stack/ports';
import { BUILT_IN_PROFILES } from './services/shared/fault-profile';

const collect = (value: string, previous: string[]) => [...previous, value];

type RawStart = Record<string, unknown> & { count: string[]; concurrency: string[]; flows?: string };

/** One flow's options: the suite's per-flow and repeated forms make no sense here. */
function singleFlowOptions(flow: string | undefined, raw: RawStart) {
  for (const flag of ['count', 'concurrency'] as const) {
    if (raw[flag].length > 1) throw new UsageError(`--${flag} given ${raw[flag].length} times; give it once`);
    if (raw[flag].some((v) => v.includes('='))) {
      throw new UsageError(`--${flag} ${raw[flag][0]}: FLOW=N is for the suite ('start-workflow all')`);
    }
  }
  if (raw.flows) throw new UsageError("--flows is for the suite ('start-workflow all')");
  return parseStartOptions(flow, { ...raw, count: raw.count[0], concurrency: raw.concurrency[0] });
}

function program(): Command {
  const cli = new Command('geminivideo-sim')
    .description('Stress-tests the GeminiVideo platform flows as durable Temporal workflows')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  const suiteOrFlow = (flow: string | undefined, raw: RawStart) =>
    flow === 'all' ? stressSuiteCommand(parseSuiteOptions(raw)) : startWorkflowCommand(singleFlowOptions(flow, raw));
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
      .option(
        '--chaos <plan>',
        "kill local stack processes during the run: 'kill=ml-service every=20s', 'random every=15s'",
      )
      .action(async (...args: unknown[]) => {
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
    .action(async (runId: string | undefined, o: { json?: string; latest?: string }) => {
      process.exitCode = await reportCommand({ runId, latest: o.latest }, o.json);
    });

  const schedule = cli.command('schedule').description('stress runs on Temporal Schedules');
  schedule
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
    .option('--seed <n>', 'seed for the simulated inputs')
    .action(async (flow: string | undefined, raw: Record<string, unknown>) => {
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
    .description('start Temporal, PostgreSQL, the six services and a worker until Ctrl-C')
    .option('--faults <profile>', 'the services own fault profile when a call names none', 'none')
    .option('--time-scale <f>', 'the services own time scale when a call names none', '1')
    .action(async (o: { faults: string; timeScale: string }) => {
      const checked = parseStartOptions(FLOW_NAMES[0], { faults: o.faults, timeScale: o.timeScale });
      process.exitCode = await stackCommand({ faults: o.faults, timeScale: checked.timeScale });
    });
  return cli;
}

async function run(): Promise<void> {
  const argv = userArgs(process.argv.slice(2), 1, START_VALUE_FLAGS);
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
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT.usage);
  }
  if (err instanceof PortInUseError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT.failure);
  }
  console.error(err);
  process.exit(EXIT.failure);
});
