import { condition, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CollectedFlow, FlowInFlight } from '../../activities/load';
import { FLOWS } from '../../flows/catalog';
import { FLOW_NAME, STRESS_RUN_ID } from '../../flows/search-attributes';
import { workflowFailedOutcome } from '../../flows/outcomes';
import type { FlowOutcome } from '../../flows/types';
import { countFlowEnded, countFlowStarted } from '../flow-metrics';
import type { StressRunInput } from './input';
import type { RunLimits } from './limits';
import type { RunTotals } from './totals';

// Waits for flows an earlier run of this parent started; long, heartbeated, retried until it answers.
const { collect_flows } = proxyActivities<Activities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** What the launcher needs to know of the run. */
export interface LaunchSettings {
  input: StressRunInput;
  runId: string;
  /** Children must outlive this run of the parent (an open model continues as new with flows in flight). */
  abandon: boolean;
  /** Index of the next flow to start (carried across continue-as-new). */
  next: number;
  /** Flows an earlier run of the parent started and did not see end. */
  adopted: FlowInFlight[];
}

/**
 * Starts the run's flows as children, one at a time, and keeps track of them to their end: the flows in flight
 * (started here, or adopted from the run before continue-as-new), their tallies, their ends and the drops. Its
 * limits come from `limits`, read at each decision.
 */
export class Launcher {
  /** Flows in flight by workflow id, with their index. */
  readonly inFlight: Map<string, number>;
  /** Scheduled start (workflow ms) of each flow in flight that a schedule started, for its response time. */
  private readonly scheduled: Map<string, number>;
  next: number;
  private starting = 0;
  private startedThisRun = 0;

  constructor(
    private readonly settings: LaunchSettings,
    private readonly limits: RunLimits,
    private readonly totals: RunTotals,
  ) {
    this.inFlight = new Map(settings.adopted.map((f) => [f.workflowId, f.index]));
    this.scheduled = new Map(
      settings.adopted.flatMap((f) => (f.scheduledFor === undefined ? [] : [[f.workflowId, f.scheduledFor]])),
    );
    this.next = settings.next;
  }

  /** Room for one more flow under the in-flight limit. */
  hasRoom(): boolean {
    return this.inFlight.size < this.limits.maxInFlight;
  }

  /** Resolves once there is room for one more flow. */
  room(): Promise<void> {
    return condition(() => this.hasRoom());
  }

  /** Resolves once every flow in flight has ended. */
  drained(): Promise<void> {
    return condition(() => this.inFlight.size === 0);
  }

  /** Resolves once the server has acknowledged every start issued. */
  acknowledged(): Promise<void> {
    return condition(() => this.starting === 0);
  }

  /** This run of the parent has started its share of children, or history grew large: continue as new. */
  mustContinue(): boolean {
    return this.startedThisRun >= this.limits.childrenPerRun || workflowInfo().continueAsNewSuggested;
  }

  /** The flows in flight, for the next run of the parent to adopt. */
  inFlightList(): FlowInFlight[] {
    return [...this.inFlight].map(([workflowId, index]) => {
      const scheduledFor = this.scheduled.get(workflowId);
      return scheduledFor === undefined ? { workflowId, index } : { workflowId, index, scheduledFor };
    });
  }

  /** Starts one flow; `scheduledFor` (workflow ms) when an open schedule set its time, for its lateness. */
  async launch(scheduledFor?: number): Promise<void> {
    const index = this.next++;
    const workflowId = `${this.settings.runId}-${String(index).padStart(5, '0')}`;
    this.inFlight.set(workflowId, index);
    if (scheduledFor !== undefined) this.scheduled.set(workflowId, scheduledFor);
    this.starting++;
    this.startedThisRun++;
    const began = Date.now();
    // A start counts, and its lateness is taken, when the parent issues it: the server's acknowledgement comes in a
    // later workflow task, which queues behind the flows' own tasks and would make a busy worker look late.
    this.totals.started(began, this.inFlight.size, scheduledFor);
    countFlowStarted(this.settings.input.flow);
    let outcome: FlowOutcome;
    try {
      let child;
      try {
        child = await startChild(FLOWS[this.settings.input.flow].workflowType, this.childOptions(workflowId, index));
      } finally {
        this.starting--;
      }
      outcome = await child.result();
    } catch (err) {
      outcome = workflowFailedOutcome(Date.now() - began, String(err));
    }
    this.finish(workflowId, outcome);
  }

  private childOptions(workflowId: string, index: number) {
    const { input, runId } = this.settings;
    return {
      workflowId,
      args: [{ runId, index, seed: input.seed, sim: input.sim }],
      typedSearchAttributes: [
        { key: FLOW_NAME, value: input.flow },
        { key: STRESS_RUN_ID, value: runId },
      ],
      ...(this.settings.abandon ? { parentClosePolicy: ParentClosePolicy.ABANDON } : {}),
    };
  }

  /**
   * A flow in flight ended (a second report of the same flow is ignored). A scheduled flow's response time runs
   * from its scheduled start to now, when the parent sees it end: lateness, the start, the flow and its report.
   */
  finish(workflowId: string, outcome: FlowOutcome): void {
    if (!this.inFlight.delete(workflowId)) return;
    countFlowEnded(this.settings.input.flow, outcome.outcome);
    const now = Date.now();
    const scheduledFor = this.scheduled.get(workflowId);
    this.scheduled.delete(workflowId);
    const seen = scheduledFor === undefined ? { workflowId } : { workflowId, responseMs: now - scheduledFor };
    this.totals.ended(outcome, now, this.inFlight.size, seen);
  }

  /** A start refused for want of room: counted as dropped, not made up later. */
  drop(): void {
    this.totals.dropped(Date.now());
  }

  /** Collects the adopted flows by workflow id as they close (they are not this run's children). */
  async collectAdopted(): Promise<void> {
    const adopted = new Map(this.settings.adopted.map((f) => [f.workflowId, f]));
    while (adopted.size) {
      const closed: CollectedFlow[] = await collect_flows([...adopted.values()]);
      for (const c of closed) {
        adopted.delete(c.workflowId);
        this.finish(c.workflowId, c.outcome);
      }
    }
  }
}
