import { Command, CommanderError } from 'commander';
import { FLOW_NAMES } from './flows/catalog';
import { reportCommand, stackCommand, startWorkflowCommand } from './cli/commands';
import { EXIT, UsageError } from './cli/errors';
import { userArgs } from './cli/npm-argv';
import { parseStartOptions, START_VALUE_FLAGS } from './cli/start-options';
import { PortInUseError } from './stack/ports';
import { BUILT_IN_PROFILES } from './services/shared/fault-profile';

const collect = (value: string, previous: string[]) => [...previous, value];

function program(): Command {
  const cli = new Command('geminivideo-sim')
    .description('Stress-tests the GeminiVideo platform flows as durable Temporal workflows')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });

  cli
    .command('start-workflow')
    .description(`run a stress run of one flow (${FLOW_NAMES.join(', ')})`)
    .argument('[flow]', 'flow name')
    .option('--count <n>', 'flows to run')
    .option('--concurrency <n>', 'flows running at once (default 10)')
    .option('--time-scale <f>', 'platform time multiplier (default 0.05)')
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
    .argument('<run-id>')
    .option('--json <file>', 'also write it as JSON')
    .action(async (runId: string, o: { json?: string }) => {
      process.exitCode = await reportCommand(runId, o.json);
    });

  cli
    .command('stack')
    .description('start Temporal, PostgreSQL, the six services and a worker until Ctrl-C')
    .option('--faults <profile>', 'the services own fault profile when a call names none', 'none')
    .option('--time-scale <f>', 'the services own time scale when a call names none', '1')
    .action(async (o: { faults: string; timeScale: string }) => {
      process.exitCode = await stackCommand({ faults: o.faults, timeScale: Number(o.timeScale) });
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
