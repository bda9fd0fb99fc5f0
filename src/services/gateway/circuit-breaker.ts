export type BreakerState = 'closed' | 'open' | 'half_open';

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
    private readonly openMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.openMs) return 'half_open';
    return this.state;
  }

  /** Whether a call may go through now; in half-open only one probe at a time. */
  allow(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.state = 'half_open';
    this.probing = true;
    return true;
  }

  success(): void {
    this.state = 'closed';
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.probing = false;
    this.failures += 1;
    if (this.state === 'half_open' || this.failures >= this.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}
