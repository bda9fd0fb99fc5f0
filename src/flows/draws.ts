/**
 * A call's draw: what the services seed its injected latency and faults with (header `x-sim-draw`, see
 * services/shared/server.ts). It names the flow, the run's seed, the flow's index and the step (and a part of the
 * step, for a step of several calls to one service). A step's second and later activity calls add their number
 * (`#n`, so a status poll in a loop draws afresh each time), and the caller adds the attempt and the call's place in
 * the attempt. The same seed then gives each call the same latency and fault in any run and any order of arrival:
 * two runs of one seed (Temporal and the benchmark's plain runner, or a run before and after a change) compare
 * like with like, and a retry draws afresh. Pure, so the workflows can use it.
 */
export function callDraw(flow: string, seed: number, index: number, step: string, part?: string): string {
  return `${flow}:${seed}:${index}:${step}${part ? `:${part}` : ''}`;
}

/**
 * The draw of a call in a flow that was reset (`npm run rerun`): the reset run's id is added, so the re-run draws
 * afresh from the same profile instead of meeting the faults that failed it again (its attempts start over at 1).
 * A flow that was never reset keeps its draw unchanged.
 */
export function rerunDraw(draw: string, resetRunId: string | undefined): string {
  return resetRunId ? `${draw}:rerun-${resetRunId}` : draw;
}
