/**
 * Settings the project's Temporal (the dev server, and each role of `--temporal cluster`) starts with, beyond the
 * dispatch settings it always uses. Each was measured with `npm run bench` (docs/benchmarks.md has the figures and
 * the CPU profiles behind them):
 * - the history service's queue processors poll at most 20 times a second by default, so every workflow
 *   task, activity task and timer waits up to 50 ms for a poll tick: step durations came out on a 50 ms grid.
 *   At 1000 a poll follows the task almost at once (transfer: tasks to matching; timer: retries, timeouts and
 *   durable waits; visibility: search attributes).
 * - each queue keeps every task it has read, done or not, until its next checkpoint (every 30 s by default), and
 *   each new read splits and merges its slices by walking all of them. With reads up to 1000 times a second that
 *   walk was 14 % of the dev server's CPU, saturated. A checkpoint every second keeps the set small; each
 *   checkpoint is one small write of the shard's queue state.
 * - the Go garbage collector, at its default GOGC=100, took 7.5 % of the dev server's CPU, saturated; at 400 it
 *   takes 2.5 %, for a few hundred MiB more memory (`temporalEnv`).
 * GV_DEV_SERVER_TUNING=off starts the server with Temporal's defaults instead (the benchmark's "before").
 */
export const DEV_SERVER_TUNING: Record<string, unknown> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
  'history.transferProcessorUpdateAckInterval': '1s',
  'history.timerProcessorUpdateAckInterval': '1s',
  'history.visibilityProcessorUpdateAckInterval': '1s',
};

/** The garbage collector's target for the server processes (see above); a GOGC already set is kept. */
export const TEMPORAL_GOGC = '400';

const tuningOff = (env: NodeJS.ProcessEnv) => env.GV_DEV_SERVER_TUNING === 'off';

export function devServerTuning(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return tuningOff(env) ? {} : DEV_SERVER_TUNING;
}

/** The environment a Temporal server process starts with: this one's, with the collector's target unless set. */
export function temporalEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return tuningOff(env) || env.GOGC ? env : { ...env, GOGC: TEMPORAL_GOGC };
}
