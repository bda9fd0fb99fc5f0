export type BreakerState = 'closed' | 'open' | 'half_open';
export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

/** Told of every state change, e.g. to count transitions in the Gateway's metrics. */
export type TransitionListener = (from: BreakerState, to: BreakerState) => void;

/**
 * Per-upstream circuit breaker: opens after `failureThreshold` consecutive failures, fails fast while
 * open, lets one probe through after `openMs`, and closes again when that probe succeeds.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly failureThreshold = 5,
    readonly openMs = 5_000,
    private readonly now: () => number = Date.now,
    private readonly onTransition: TransitionListener = () => undefined,
  ) {}

  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.openMs) return 'half_open';
    return this.state;
  }

  /** While open: how long until a probe may go through. */
  get remainingOpenMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.openMs - this.now()) : 0;
  }

  /** Whether a call may go through now; in half-open only one probe at a time. */
  allow(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.moveTo('half_open');
    this.probing = true;
    return true;
  }

  success(): void {
    this.moveTo('closed');
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.probing = false;
    this.failures += 1;
    if (this.state === 'half_open' || this.failures >= this.failureThreshold) {
      this.moveTo('open');
      this.openedAt = this.now();
    }
  }

  private moveTo(next: BreakerState): void {
    const from = this.state;
    if (from === next) return;
    this.state = next;
    this.onTransition(from, next);
  }
}
