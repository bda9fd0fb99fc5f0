import { z } from 'zod';

/** Where a service process's capacity is read and set while it runs. */
export const CAPACITY_ROUTE = '/admin/capacity';

/**
 * How much one service process takes at once: `max_in_work` requests are worked on, up to `max_waiting` more
 * wait their turn in arrival order (so latency grows with the queue), and a request past both is refused at once.
 */
export const capacitySchema = z
  .object({
    max_in_work: z.number().int().min(1).max(100_000),
    max_waiting: z.number().int().min(0).max(1_000_000),
    /** How an overloaded service refuses: 503, or 429 with Retry-After. */
    overflow: z.enum(['503', '429']).default('503'),
    /** Retry-After of a 429 refusal, in platform seconds. */
    retry_after_seconds: z.number().positive().max(3600).default(1),
  })
  .strict();
export type Capacity = z.infer<typeof capacitySchema>;

/** What the admin endpoint takes: a capacity, or null for unlimited (the behaviour without one). */
export const capacityBodySchema = z.object({ capacity: capacitySchema.nullable() }).strict();

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
