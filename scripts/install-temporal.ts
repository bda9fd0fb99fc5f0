import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/stack/temporal-cli';

/** Makes sure a temporal CLI is at hand (installing the pinned one into .temporal/bin if needed). */
try {
  const cli = ensureTemporalCli((line) => console.error(line));
  console.log(`temporal CLI: ${cli} (pinned version ${TEMPORAL_CLI_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
