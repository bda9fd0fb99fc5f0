import { randomInt, randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { z } from 'zod';
import { ML_SERVICE_ROUTES as ROUTES } from '../../src/contracts/ml-service';
import { successStatuses, type RouteContract } from '../../src/contracts/route';
import { winnerFor } from '../../src/flows/rag-winners';
import { marketFor } from '../../src/market/market';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

/** Calls a contract's route on the running ML Service and returns its status and JSON answer. */
async function call(contract: RouteContract, urlPath: string, body?: unknown) {
  const res = await request(`${stack.endpoints.services['ml-service']}${urlPath}`, {
    method: contract.method,
    headers: { 'content-type': 'application/json', 'idempotency-key': `ml-contract:${randomUUID()}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as unknown };
}

/** The answer's status is one the contract names and its body parses with the contract's response schema. */
async function expectContracted(contract: RouteContract & { response: z.ZodType }, urlPath: string, body?: unknown) {
  const answer = await call(contract, urlPath, body);
  expect(successStatuses(contract)).toContain(answer.status);
  const parsed = contract.response.safeParse(answer.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  return answer.body as z.infer<typeof contract.response>;
}

test("real ML Service answers parse with the contract's response schemas", async () => {
  const seed = randomInt(3_000_000, 4_000_000);
  await expectContracted(ROUTES.ctrModel, '/models/ctr');
  const indexed = (await expectContracted(ROUTES.indexWinner, '/rag/winners', winnerFor(seed, 0))) as {
    winner_id: string;
  };
  await expectContracted(ROUTES.search, '/rag/search', { query: 'hook opening high motion', k: 5 });
  await expectContracted(ROUTES.ragPatterns, '/rag/patterns', { winner_id: indexed.winner_id, k: 5 });
  await expectContracted(ROUTES.dna, '/rag/dna', { winner_id: indexed.winner_id });
  await expectContracted(ROUTES.knowledgeGraphQuery, '/rag/knowledge-graph/query', { limit: 3 });
  await expectContracted(ROUTES.benchmark, '/rag/benchmark', { queries: 5, k: 5 });
  const adSet = marketFor(seed)[0];
  await expectContracted(ROUTES.allocate, '/sampler/allocate', { ad_set_id: adSet.adSetId, seed, round: 0 });
  await expectContracted(ROUTES.latency, `/feedback/realtime/latency?flow_key=ml-contract-${seed}`);
  await expectContracted(ROUTES.patternPredict, '/patterns/predict', {
    question: { kind: 'pattern_lift', pattern: 'hook_opening', text: 'Does a hook opening lift CTR?' },
  });
  await expectContracted(ROUTES.predictBatch, '/learning/predict-batch', { seed, cycle: 0 });
});
