import type { Capacity } from '../../contracts/capacity';

export type Admission = 'admitted' | 'refused';

interface Waiter {
  grant: () => void;
}

/** The requests a process works on and the ones waiting, against its capacity (unlimited when none is set). */
export class CapacityGate {
  private inWork = 0;
  private peak = 0;
  private readonly queue: Waiter[] = [];
  private refused = 0;

  constructor(private limit: Capacity | null = null) {}

  get capacity(): Capacity | null {
    return this.limit;
  }

  /** Changes the capacity; waiters that now fit are let in, and with no limit every waiter is. */
  configure(limit: Capacity | null): void {
    this.limit = limit;
    this.drain();
  }

  stats() {
    return { in_work: this.inWork, waiting: this.queue.length, peak_in_work: this.peak, refused: this.refused };
  }

  /**
   * Takes a place in work, waiting in line if the process is busy. Resolves 'refused' at once when the line is
   * full. `release` must be called exactly once after an admission; `abandon` (the caller went away while
   * waiting) takes the request out of the line and returns whether it was still waiting.
   */
  admit(): { admission: Promise<Admission>; abandon: () => boolean } {
    if (!this.limit || this.inWork < this.limit.max_in_work) {
      this.take();
      return { admission: Promise.resolve('admitted'), abandon: () => false };
    }
    if (this.queue.length >= this.limit.max_waiting) {
      this.refused += 1;
      return { admission: Promise.resolve('refused'), abandon: () => false };
    }
    let waiter!: Waiter;
    const admission = new Promise<Admission>((resolve) => {
      waiter = { grant: () => resolve('admitted') };
    });
    this.queue.push(waiter);
    return {
      admission,
      abandon: () => {
        const at = this.queue.indexOf(waiter);
        if (at < 0) return false;
        this.queue.splice(at, 1);
        return true;
      },
    };
  }

  /** Gives back a place in work and lets the next waiter in. */
  release(): void {
    this.inWork = Math.max(0, this.inWork - 1);
    this.drain();
  }

  private take(): void {
    this.inWork += 1;
    this.peak = Math.max(this.peak, this.inWork);
  }

  private drain(): void {
    while (this.queue.length && (!this.limit || this.inWork < this.limit.max_in_work)) {
      this.take();
      this.queue.shift()!.grant();
    }
  }
}
