import type { Client } from '@temporalio/client';
import type { Endpoints } from '../config';
import { startStack, type RunningStack } from '../stack/stack';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { localPortOffset, resolveEndpoints } from './endpoints';
import { workerIsPolling } from './run-stress';

/**
 * Where the run goes: the configured Temporal, or with none there (and none configured), a stack started for it.
 * A TEMPORAL_ADDRESS is never replaced by a stack of our own; connecting to it reports what is wrong.
 */
export async function connectOrStartStack(
  say: (line: string) => void,
): Promise<{ endpoints: Endpoints; stack?: RunningStack }> {
  const { endpoints, source } = resolveEndpoints();
  if (source === 'env' || (await temporalAnswers(endpoints.temporalAddress))) {
    if (source === 'stack') say(`using the running stack (Temporal at ${endpoints.temporalAddress})`);
    return { endpoints };
  }
  say(
    `no Temporal server at ${endpoints.temporalAddress}: bringing up the whole stack for this run (stopped when it ends)`,
  );
  const started = Date.now();
  const stack = await startStack({ worker: true, log: say, portOffset: localPortOffset() });
  say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { endpoints: stack.endpoints, stack };
}

/**
 * A command that starts work in Temporal and waits for it: connects (or brings up a stack for the run), warns
 * when no worker polls, and on Ctrl-C leaves the work running in Temporal and stops only a stack it started.
 */
export async function withRunSession(
  say: (line: string) => void,
  what: string,
  fn: (client: Client, endpoints: Endpoints) => Promise<number>,
): Promise<number> {
  const { endpoints, stack } = await connectOrStartStack(say);
  let client: Client | undefined;
  const onSignal = () => {
    say(`\ninterrupted: the ${what} goes on in Temporal; \`npm run report\` shows it once a worker finishes it`);
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    client = await connectClient(endpoints, say);
    if (!stack && !(await workerIsPolling(client))) {
      say(`warning: no worker polls task queue on ${endpoints.temporalAddress}; start one with 'npm run worker'`);
    }
    return await fn(client, endpoints);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client?.connection.close();
    if (stack) {
      say(`stopping the stack started for this ${what} (\`npm run stack\` serves the Web UI again, with it in)`);
      await stack.stop();
    }
  }
}
