/**
 * Dynamic config the project's dev server starts with, beyond the dispatch settings it always uses. Each was
 * measured with `npm run bench` (docs/benchmarks.md has the figures):
 * - the history service's queue processors poll at most 20 times a second by default, so every workflow
 *   task, activity task and timer waits up to 50 ms for a poll tick: step durations came out on a 50 ms grid.
 *   At 1000 a poll follows the task almost at once (transfer: tasks to matching; timer: retries, timeouts and
 *   durable waits; visibility: search attributes).
 * GV_DEV_SERVER_TUNING=off starts the server with Temporal's defaults instead (the benchmark's "before").
 */
export const DEV_SERVER_TUNING: Record<string, unknown> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
};

export function devServerTuning(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return env.GV_DEV_SERVER_TUNING === 'off' ? {} : DEV_SERVER_TUNING;
}
