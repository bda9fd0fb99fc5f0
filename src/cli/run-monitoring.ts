import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { STACK_FILE } from '../config';
import { readStackFileContent } from '../stack/stack-file';
import type { StackOptions } from '../stack/stack';
import { localPortOffset } from './endpoints';

/** The stack a run brings up when no Temporal answers: every part, one worker, and Prometheus with `--monitoring`. */
export function runStackOptions(monitoring: boolean | undefined, log: (line: string) => void): StackOptions {
  return { worker: true, log, portOffset: localPortOffset(), ...(monitoring ? { monitoring: true } : {}) };
}

/**
 * `--monitoring` on a run that uses a Temporal already there: monitoring is that stack's business, so one line
 * says what there is (the running stack's Prometheus) or why nothing is started, and the run goes on.
 */
export function monitoringNote(source: 'env' | 'stack' | 'default', address: string, stackFile = STACK_FILE): string {
  if (source === 'env') {
    return `--monitoring ignored: TEMPORAL_ADDRESS names a Temporal this project did not start (its monitoring is its own)`;
  }
  const url = source === 'stack' ? readStackFileContent(stackFile)?.prometheusUrl : undefined;
  if (url) return `monitoring: the running stack's Prometheus at ${url}`;
  return source === 'stack'
    ? "--monitoring ignored: the running stack has no Prometheus; start it with 'npm run stack -- --monitoring'"
    : `--monitoring ignored: the Temporal at ${address} is not a stack of this project's ('npm run stack -- --monitoring' starts one with Prometheus)`;
}

/**
 * Before a run's own stack stops: waits (up to `timeoutMs`) until Prometheus has scraped every target once more, so
 * the data it keeps ends with the run's final counts (a short run may otherwise end before the first scrape).
 */
export async function awaitFinalScrape(prometheusUrl: string, timeoutMs = 15_000): Promise<boolean> {
  const since = Date.now();
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
    const done = await request(`${prometheusUrl}/api/v1/targets?state=active`, { headersTimeout: 1000 })
      .then((res) => res.body.json() as Promise<{ data: { activeTargets: Array<{ lastScrape: string }> } }>)
      // None listed yet: Prometheus's discovery hands over the targets a few seconds after it is ready.
      .then(({ data: { activeTargets: t } }) => t.length > 0 && t.every((a) => Date.parse(a.lastScrape) >= since))
      .catch(() => false);
    if (done) return true;
    await delay(250);
  }
  return false;
}
