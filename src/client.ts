import { CommanderError } from 'commander';
import { ConfigError } from './config';
import { CommandFailure, EXIT, UsageError } from './cli/errors';
import { userArgs } from './cli/npm-argv';
import { program } from './cli/program';
import { MonitoringUnavailable } from './stack/monitoring';
import { PortInUseError } from './stack/ports';
import { TemporalSetupError } from './temporal-errors';

async function run(): Promise<void> {
  const cli = program();
  await cli.parseAsync(userArgs(cli, process.argv.slice(2)), { from: 'user' });
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
