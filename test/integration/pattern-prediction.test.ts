import type { StandardResult } from '../../src/result/schema';
import { PRO_MODULES } from '../../src/contracts/video-agent-modules';
import { request } from 'undici';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

const run = (flow: 'self-learning-cycle' | 'rag-search' | 'pattern-prediction', count: number, concurrency: number) =>
  stack.runFlow({ flow, count, concurrency, timeScale: 0.01 });

test('questions are answered from winning patterns and the knowledge graph, and the suggested edits run on the Video Agent', async () => {
  // The evidence comes from the flows that produce it: compound learning and the RAG knowledge graph.
  expect((await run('self-learning-cycle', 3, 1)).failed).toBe(0);
  expect((await run('rag-search', 8, 4)).failed).toBe(0);
  const evidence = await stack.pool.query(
    `SELECT (SELECT count(*) FROM winning_patterns)::int AS learned, (SELECT count(*) FROM kg_edges WHERE relation = 'has_pattern')::int AS graph`,
  );
  expect(evidence.rows[0].learned).toBeGreaterThan(0);
  expect(evidence.rows[0].graph).toBeGreaterThan(0);

  const result: StandardResult = await run('pattern-prediction', 24, 6);
  expect(result).toMatchObject({ total_operations: 24, completed_operations: 24, failed: 0 });

  const answers = await stack.pool.query(
    `SELECT idempotency_key, question, answer, answerable FROM pattern_predictions WHERE idempotency_key LIKE $1`,
    [`${result.run_id}-%:pattern_question`],
  );
  // One stored answer per flow; the questions are dynamic (several kinds and many texts).
  expect(answers.rowCount).toBe(24);
  expect(new Set(answers.rows.map((r) => r.question.kind)).size).toBeGreaterThanOrEqual(3);
  expect(new Set(answers.rows.map((r) => r.question.text)).size).toBeGreaterThan(8);

  const withEdits = answers.rows.filter((r) => r.answerable && r.answer.suggested_edits.length > 0);
  // Unanswerable questions, or answers that suggest nothing, are the flow's business outcome.
  expect(result.rejected).toBe(24 - withEdits.length);
  expect(withEdits.length).toBeGreaterThan(0);
  expect(result.step_analysis.video_edit_operations.executions).toBe(withEdits.length);

  for (const a of withEdits) {
    // Every prediction names its evidence, and that evidence exists.
    for (const p of a.answer.predictions) expect(p.support).toBeGreaterThan(0);
    const flowId = a.idempotency_key.replace(/:pattern_question$/, '');
    const job = await stack.pool.query(`SELECT transitions FROM render_jobs WHERE idempotency_key = $1`, [
      `${flowId}:video_edit_operations`,
    ]);
    expect(job.rowCount).toBe(1);
    const modules = (job.rows[0].transitions as Array<{ module?: string }>).flatMap((t) =>
      t.module ? [t.module] : [],
    );
    const suggested = (a.answer.suggested_edits as Array<{ module: string }>).map((e) => e.module);
    // Exactly the suggested edits, each once, in the editor's order.
    expect(modules).toEqual(
      [...suggested].sort((x, y) => PRO_MODULES.indexOf(x as never) - PRO_MODULES.indexOf(y as never)),
    );
  }
});

test('a malformed question is refused with a 400 naming the field, and nothing is stored', async () => {
  const before = await stack.pool.query('SELECT count(*)::int AS n FROM pattern_predictions');
  const res = await request(`${stack.endpoints.services['ml-service']}/patterns/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'bad-question-1' },
    body: JSON.stringify({ question: { kind: 'combination', patterns: ['hook_opening', 'hook_opening'], text: 'x' } }),
  });
  expect(res.statusCode).toBe(400);
  expect(JSON.stringify(await res.body.json())).toMatch(/patterns/);
  const after = await stack.pool.query('SELECT count(*)::int AS n FROM pattern_predictions');
  expect(after.rows[0].n).toBe(before.rows[0].n);
});
