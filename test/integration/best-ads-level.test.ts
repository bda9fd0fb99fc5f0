import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { marketFor } from '../../src/market/market';
import { childWorkflowId } from '../support/runs';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

const run = (flow: 'rag-search' | 'best-ads-level', count: number, faults: FaultProfile = BUILT_IN_PROFILES.none) =>
  stack.runFlow({ flow, count, concurrency: 5, timeScale: 0.01, faults, seed: 11 });

test('budget allocation, RAG search and the feedback loop run together for each ad set, each write once', async () => {
  // Winners to search among come from the RAG flow.
  expect((await run('rag-search', 8)).failed).toBe(0);
  const flaky: FaultProfile = {
    ...BUILT_IN_PROFILES.none,
    name: 'flaky-ml',
    services: { 'ml-service': { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.2 } },
  };
  const result = await run('best-ads-level', 12, flaky);
  expect(result).toMatchObject({ total_operations: 12, completed_operations: 12, failed: 0 });
  expect(Object.keys(result.step_analysis)).toEqual(['budget_allocation', 'rag_search', 'feedback_loop']);
  // The injected 5xx were retried, and the retries are counted on the steps that hid them.
  const retries = Object.values(result.step_analysis).reduce((s, a) => s + a.retries, 0);
  expect(retries).toBeGreaterThan(0);

  const market = marketFor(11);
  for (let i = 0; i < 12; i++) {
    const flowId = childWorkflowId(result.run_id, i);
    const adSet = market[i % market.length];
    // One promotion decision per flow, about this ad set, from the feedback loop.
    const promotions = await stack.pool.query('SELECT ad_set_id, ad_id FROM promotions WHERE idempotency_key LIKE $1', [
      `${flowId}:feedback_loop:%`,
    ]);
    expect(promotions.rows).toEqual([
      { ad_set_id: adSet.adSetId, ad_id: expect.stringMatching(`^${adSet.adSetId}_ad`) },
    ]);
    // The hour's Meta and HubSpot signals were joined once for the flow.
    const signals = await stack.pool.query('SELECT count(*)::int AS n FROM feedback_signals WHERE flow_key = $1', [
      flowId,
    ]);
    expect(signals.rows[0].n).toBeGreaterThan(0);
  }
  // The flows report what they found: a leader's P(best), five similar winners each.
  const similar = result.measurements!.similar_winners;
  expect(similar.count).toBe(12);
  expect(similar.avg).toBeCloseTo(5, 5);
  const p = result.measurements!.leader_probability_best_pct;
  expect(p.count).toBe(12);
  expect(p.p99).toBeLessThanOrEqual(100);
  expect(p.avg).toBeGreaterThan(0);
  // The share of flows whose promoted ad is the sampler's leader, as 0 or 100 per flow.
  const promoted = await stack.pool.query(
    `SELECT count(*)::int AS n FROM promotions p
     WHERE p.idempotency_key LIKE $1 AND p.decision = 'promote'`,
    [`${result.run_id}-%:feedback_loop:%`],
  );
  expect(result.measurements!.leader_promoted_pct.avg).toBeLessThanOrEqual((100 * promoted.rows[0].n) / 12 + 1e-9);
});
