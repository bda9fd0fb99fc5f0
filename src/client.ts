import { Command, CommanderError } from 'commander';
import { FLOW_NAMES } from './flows/catalog';
import { reportCommand, stackCommand, startWorkflowCommand } from './cli/commands';
import { EXIT, UsageError } from './cli/errors';
import { userArgs } from './cli/npm-argv';
import { parseStartOptions, START_VALUE_FLAGS } from './cli/start-options';
import { scheduleAction, scheduleCreate, scheduleDescribe, scheduleList } from './cli/schedule-commands';
import { OVERLAP_POLICIES, parseScheduleCreate } from './cli/schedule-options';
import { PortInUseError } from './stack/ports';
import { BUILT_IN_PROFILES } from './services/shared/fault-profile';

const collect = (value: string, previous: string[]) => [...previous, value];

function program(): Command {
  const cli = new Command('geminivideo-sim')
    .description('Stress-tests the GeminiVideo platform flows as durable Temporal workflows')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  cli
    .command('start-workflow')
    .description(`run a stress run of one flow (${FLOW_NAMES.join(', ')})`)
    .argument('[flow]', 'flow name')
    .option('--count <n>', 'flows to run')
    .option('--concurrency <n>', 'flows running at once (default 10)')
    .option('--time-scale <f>', "platform time multiplier (default: the flow's, 0.05 for creative-flow)")
    .option('--faults <profile>', `${Object.keys(BUILT_IN_PROFILES).join(', ')}, or a JSON file`, 'default')
    .option('--seed <n>', 'seed for the simulated inputs')
    .option('--json <file>', 'also write the standard result as JSON')
    .option('--threshold <expr>', "pass criterion, e.g. 'success_rate>=95' (repeatable)", collect, [])
    .action(async (flow: string | undefined, raw: Record<string, unknown>) => {
      process.exitCode = await startWorkflowCommand(parseStartOptions(flow, raw));
    });

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
