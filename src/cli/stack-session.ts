import type { Client } from '@temporalio/client';
import { STACK_FILE, type Endpoints } from '../config';
import type { ChaosSection } from '../result/schema';
import { SERVICE_NAMES, serviceUrlEnvName } from '../services/catalog';
import { startChaos, type ChaosRun } from '../stack/chaos';
import { readStackFileContent, type ChildStatus } from '../stack/stack-file';
import { startStack, type RunningStack } from '../stack/stack';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { chaosKillSignal } from '../workflows/definitions';
import { checkChaosTargets, type ChaosPlan } from './chaos-options';
import { resolveEndpoints } from './endpoints';
import { UsageError } from './errors';
import { awaitFinalScrape, monitoringNote, runStackOptions } from './run-monitoring';
import { workerIsPolling } from './run-stress';

/**
 * Where the run goes: the configured Temporal, or with none there (and none configured), a stack started for it.
 * A TEMPORAL_ADDRESS is never replaced by a stack of our own; connecting to it reports what is wrong.
 */
export async function connectOrStartStack(
  say: (line: string) => void,
  monitoring?: boolean,
): Promise<{ endpoints: Endpoints; stack?: RunningStack; source: 'env' | 'stack' | 'default' }> {
  const { endpoints, source } = resolveEndpoints();
  if (source === 'env' || (await temporalAnswers(endpoints.temporalAddress))) {
    if (source === 'stack') say(`using the running stack (Temporal at ${endpoints.temporalAddress})`);
    if (monitoring) say(monitoringNote(source, endpoints.temporalAddress));
    return { endpoints, source };
  }
  say(
    `no Temporal server at ${endpoints.temporalAddress}: bringing up the whole stack for this run (stopped when it ends)`,
  );
  const started = Date.now();
  const stack = await startStack(runStackOptions(monitoring, say));
  say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { endpoints: stack.endpoints, stack, source };
}

export interface ChaosRequest {
  plan: ChaosPlan;
  seed: number;
}

/** What a session's command gets besides its client: chaos on the session's own stack, when asked for. */
export interface RunSession {
  /** Starts the requested chaos (if any), sending each kill to the run `recordTo` names at that moment. */
  startChaos(recordTo: () => Promise<string | undefined>): ChaosRun | undefined;
}

const refusal = (why: string) =>
  new UsageError(
    `--chaos kills processes only of a local stack this project started ('npm run stack' or the run's own), known by pid; ${why}`,
  );

/** Chaos refuses before anything starts when the environment names a deployment this project did not start. */
function refuseChaosOnDeployments(): void {
  const named = ['TEMPORAL_ADDRESS', 'DATABASE_URL', ...SERVICE_NAMES.map(serviceUrlEnvName)].find(
    (v) => process.env[v],
  );
  if (named) throw refusal(`${named} names a deployment it did not start, so it refuses`);
}

/** The supervised processes chaos may kill: the stack started here, or the `npm run stack` whose stack.json we use. */
function chaosProcesses(stack: RunningStack | undefined, source: string, endpoints: Endpoints): () => ChildStatus[] {
  if (stack) return () => stack.processes();
  if (source === 'stack' && readStackFileContent(STACK_FILE)?.processes.length) {
    return () => readStackFileContent(STACK_FILE)?.processes ?? [];
  }
  throw refusal(
    `the Temporal server at ${endpoints.temporalAddress} is not one (no supervised stack in ${STACK_FILE})`,
  );
}

/**
 * A command that starts work in Temporal and waits for it: connects (or brings up a stack for the run), warns
 * when no worker polls, and on Ctrl-C leaves the work running in Temporal and stops only a stack it started.
 * With chaos, it first stops killing, then stops the stack: nothing is killed or restarted while stopping.
 */
export async function withRunSession(
  say: (line: string) => void,
  work: { what: string; chaos?: ChaosRequest; monitoring?: boolean },
  fn: (client: Client, endpoints: Endpoints, session: RunSession) => Promise<number>,
): Promise<number> {
  const { what, chaos } = work;
  if (chaos) refuseChaosOnDeployments();
  const { endpoints, stack, source } = await connectOrStartStack(say, work.monitoring);
  let client: Client | undefined;
  let chaosRun: ChaosRun | undefined;
  const onSignal = () => {
    say(`\ninterrupted: the ${what} goes on in Temporal; \`npm run report\` shows it once a worker finishes it`);
    void (chaosRun?.stop() ?? Promise.resolve()).then(() => stack?.stop()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const processes = chaos ? chaosProcesses(stack, source, endpoints) : undefined;
    if (chaos && processes) checkChaosTargets(chaos.plan, processes());
    client = await connectClient(endpoints, say);
    if (!stack && !(await workerIsPolling(client))) {
      say(`warning: no worker polls task queue on ${endpoints.temporalAddress}; start one with 'npm run worker'`);
    }
    const connected = client;
    const session: RunSession = {
      startChaos(recordTo) {
        if (!chaos || !processes) return undefined;
        // Sent one after the other, so a later state of a kill never arrives before an earlier one.
        let sending: Promise<unknown> = Promise.resolve();
        const send = (section: ChaosSection) => {
          sending = sending
            .then(() => recordTo())
            .then((id) => (id ? connected.workflow.getHandle(id).signal(chaosKillSignal, section) : undefined))
            .catch(() => undefined); // the run may have closed; the printed result keeps every kill
        };
        say(`chaos: ${chaos.plan.text} (seed ${chaos.seed})`);
        const run = startChaos({ plan: chaos.plan, seed: chaos.seed, processes, say, onChange: send });
        // The last signals are sent before the connection they use is closed.
        chaosRun = { stop: () => run.stop().then(async (section) => (await sending, section)) };
        return chaosRun;
      },
    };
    return await fn(client, endpoints, session);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await chaosRun?.stop();
    await client?.connection.close();
    if (stack) {
      if (stack.prometheusUrl) await awaitFinalScrape(stack.prometheusUrl);
      say(`stopping the stack started for this ${what} (\`npm run stack\` serves the Web UI again, with it in)`);
      await stack.stop();
    }
  }
}
