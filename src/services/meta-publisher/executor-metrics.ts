import type { Pool } from 'pg';
import client from 'prom-client';
import { EXECUTOR_RULES, type ExecutorOutcome } from './executor';

/** The queue's states, so every one is exported (at 0 too) and the label set stays fixed. */
const QUEUE_STATES = ['pending', 'claimed', 'executed', 'rejected', 'dead_letter'] as const;

/** One SafeExecutor process's metrics; the counters are created at 0, so the first event counts in `increase()`. */
export function createExecutorMetrics(pool: Pool, name: string) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ executor: name });
  client.collectDefaultMetrics({ register: registry });
  const counter = (metric: string, help: string) => new client.Counter({ name: metric, help, registers: [registry] });
  const claims = counter('geminivideo_executor_claims_total', 'Changes claimed from the queue (takeovers included)');
  const takeovers = counter(
    'geminivideo_executor_lease_takeovers_total',
    'Claims that took a change over from an executor whose lease ran out',
  );
  const outcomes: Record<ExecutorOutcome, client.Counter> = {
    executed: counter('geminivideo_executor_executions_total', 'Changes applied on Meta and recorded in the history'),
    rejected: counter('geminivideo_executor_rejections_total', 'Changes the rules rejected (invalid, no room to move)'),
    deferred: counter(
      'geminivideo_executor_deferrals_total',
      "Changes put back for later: the account's hourly limit, Meta's limits, a spent attempt's back-off",
    ),
    dead_letter: counter('geminivideo_executor_dead_letters_total', 'Changes given up on after their last attempt'),
  };
  const accountHour = new client.Histogram({
    name: 'geminivideo_executor_account_hour_changes',
    help: `The account's executed changes in the last platform hour, seen at each attempt to execute (limit ${EXECUTOR_RULES.changesPerAccountHour})`,
    buckets: [1, 2, 4, 6, 8, 10, 12, 14, EXECUTOR_RULES.changesPerAccountHour],
    registers: [registry],
  });
  new client.Gauge({
    name: 'geminivideo_executor_queue_depth',
    help: 'Changes in the queue (pending_ad_changes) by status, read from the database at each scrape (the same in every executor)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // A database that is restarting must not fail the whole scrape: the depth keeps its last values.
      const res = await pool
        .query<{ status: string; n: number }>(
          'SELECT status, count(*)::int AS n FROM pending_ad_changes GROUP BY status',
        )
        .catch(() => undefined);
      if (!res) return;
      const by = new Map(res.rows.map((r) => [r.status, r.n]));
      for (const status of QUEUE_STATES) this.set({ status }, by.get(status) ?? 0);
    },
  });
  return {
    registry,
    claimed(rows: Array<{ taken_over?: boolean }>): void {
      claims.inc(rows.length);
      takeovers.inc(rows.filter((r) => r.taken_over).length);
    },
    ended(outcome: ExecutorOutcome): void {
      outcomes[outcome].inc();
    },
    /** Called with the account's count in its hour before the rate check. */
    accountWindow(changes: number): void {
      accountHour.observe(changes);
    },
  };
}

export type ExecutorMetrics = ReturnType<typeof createExecutorMetrics>;
