import type { Endpoints } from '../config';
import { startStack, type RunningStack } from '../stack/stack';
import { temporalAnswers } from '../stack/temporal-server';
import { resolveEndpoints } from './endpoints';

/** Connects to the configured Temporal; with none there (and none configured), starts a stack for the run. */
export async function connectOrStartStack(
  say: (line: string) => void,
): Promise<{ endpoints: Endpoints; stack?: RunningStack }> {
  const { endpoints, source } = resolveEndpoints();
  if (await temporalAnswers(endpoints.temporalAddress)) {
    if (source === 'stack') say(`using the running stack (Temporal at ${endpoints.temporalAddress})`);
    return { endpoints };
  }
  if (source === 'env')
    throw new Error(`no Temporal server answers at ${endpoints.temporalAddress} (TEMPORAL_ADDRESS)`);
  say(
    `no Temporal server at ${endpoints.temporalAddress}: bringing up the whole stack for this run (stopped when it ends)`,
  );
  const started = Date.now();
  const stack = await startStack({ worker: true, log: say });
  say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { endpoints: stack.endpoints, stack };
}
