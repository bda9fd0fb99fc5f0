import { FLOWS } from '../../src/flows/catalog';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { SIM_HEADERS } from '../../src/contracts/sim-headers';
import { QUORUM, TITANS } from '../../src/contracts/titan-core';
import { rowsPerFlow, runOptions } from '../support/runs';
import { useTestStack } from '../support/stack';

const STEPS = FLOWS['ai-council'].steps;

const stack = useTestStack();

async function run(opts: Parameters<typeof runOptions>[0]): Promise<StandardResult> {
  return stack.runFlow({ flow: 'ai-council', ...opts });
}

/** Each flow's rows exist once; votes match verdicts; every approved plan was generated and rendered. */
async function expectCouncilRows(result: StandardResult): Promise<void> {
  const approved = result.successful - result.rejected;
  for (const [table, step, flows] of [
    ['blueprints', 'director', result.total_operations],
    ['videos', 'director:storyboard', result.total_operations],
    ['predictions', 'oracle', result.total_operations],
    ['veo_jobs', 'veo_director', approved],
    ['videos', 'veo_director:video', approved],
    ['render_jobs', 'ultimate_pipeline', approved],
  ] as const) {
    const rows = await rowsPerFlow(stack.pool, table, result.run_id, step);
    expect({ table, step, flows: rows.size }).toEqual({ table, step, flows });
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
  }

  const blueprints = await stack.pool.query(
    `SELECT b.id, b.verdict, b.council_votes, count(v.id)::int AS votes,
            count(v.id) FILTER (WHERE v.approve)::int AS approvals
     FROM blueprints b LEFT JOIN council_votes v ON v.blueprint_id = b.id
     WHERE b.idempotency_key LIKE $1 GROUP BY b.id`,
    [`${result.run_id}-%:director`],
  );
  for (const b of blueprints.rows) {
    expect(b.votes).toBe(TITANS.length);
    expect(b.verdict).toBe(b.approvals >= QUORUM ? 'approved' : 'rejected');
    const recorded = (b.council_votes as Array<{ approve: boolean }>).filter((v) => v.approve).length;
    expect(recorded).toBe(b.approvals);
  }
  expect(blueprints.rows.filter((b) => b.verdict === 'rejected').length).toBe(result.rejected);

  // Every Veo job completed on its own clock and gave the render its source.
  const veo = await stack.pool.query(
    `SELECT j.status, j.video_id, j.completed_at >= j.completes_at AS on_time, r.status AS render_status,
            o.kind AS output_kind
     FROM veo_jobs j
     JOIN render_jobs r ON r.source_video_id = j.video_id AND r.idempotency_key LIKE $1
     JOIN videos o ON o.id = r.output_video_id
     WHERE j.idempotency_key LIKE $1`,
    [`${result.run_id}-%`],
  );
  expect(veo.rowCount).toBe(approved);
  for (const row of veo.rows) {
    expect(row).toMatchObject({
      status: 'completed',
      on_time: true,
      render_status: 'completed',
      output_kind: 'rendered',
    });
  }
}

test('20 flows: plans voted on with a quorum, rejections as outcomes, approved plans generated and rendered', async () => {
  const result = await run({ count: 20, concurrency: 5 });
  expect(() => standardResultSchema.parse(result)).not.toThrow();
  expect(result).toMatchObject({ flow: 'ai-council', status: 'completed', total_operations: 20, failed: 0 });
  expect(result.success_rate).toBe(100);
  const approved = 20 - result.rejected;
  expect(approved).toBeGreaterThan(0);
  for (const step of STEPS.slice(0, 3)) expect(result.step_analysis[step].executions).toBe(20);
  for (const step of STEPS.slice(3)) expect(result.step_analysis[step]?.executions ?? 0).toBe(approved);
  await expectCouncilRows(result);

  // The wait for Veo is durable: one start, timers between status checks, no activity sleeping it out.
  const veo = await stack.pool.query(`SELECT idempotency_key FROM veo_jobs WHERE idempotency_key LIKE $1 LIMIT 1`, [
    `${result.run_id}-%`,
  ]);
  const workflowId = (veo.rows[0].idempotency_key as string).split(':')[0];
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = (type: string) =>
    (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type).length;
  expect(scheduled('veo_director')).toBe(1);
  expect(scheduled('veo_director_status')).toBeGreaterThanOrEqual(1);
  expect((history.events ?? []).filter((e) => e.timerStartedEventAttributes).length).toBeGreaterThanOrEqual(1);
});

test('with 20% 5xx on Titan-Core, the ML Service and the Video Agent, no vote or job is written twice', async () => {
  const flaky = { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.2 };
  const faults: FaultProfile = {
    name: 'flaky-council',
    defaults: BUILT_IN_PROFILES.none.defaults,
    services: { 'titan-core': flaky, 'ml-service': flaky, 'video-agent': flaky },
  };
  const result = await run({ count: 15, concurrency: 5, faults, faultsName: faults.name });
  expect(result).toMatchObject({ status: 'completed', total_operations: 15, failed: 0 });
  expect(STEPS.reduce((s, step) => s + (result.step_analysis[step]?.retries ?? 0), 0)).toBeGreaterThan(0);
  await expectCouncilRows(result);
});

test('a Veo job completes on its own in platform time, with nobody polling it', async () => {
  // An approved plan of this test's own, written directly: the council's vote is not what is tested here.
  const blueprint = await stack.pool.query(
    `INSERT INTO blueprints (idempotency_key, verdict, decided_at) VALUES ($1, 'approved', now()) RETURNING id`,
    [`veo-alone-plan-${process.pid}-${Date.now()}`],
  );
  const res = await fetch(`${stack.endpoints.services['titan-core']}/veo/jobs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIM_HEADERS.idempotencyKey]: `veo-alone-${Date.now()}`,
      [SIM_HEADERS.timeScale]: '0.01',
    },
    body: JSON.stringify({ blueprint_id: blueprint.rows[0].id, prompt: 'a product hero shot', duration_seconds: 8 }),
  });
  expect(res.status).toBe(201);
  const job = (await res.json()) as { veo_job_id: string; status: string };
  expect(job.status).toBe('running');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await stack.pool.query('SELECT status, video_id, status_checks FROM veo_jobs WHERE id = $1', [
      job.veo_job_id,
    ]);
    if (row.rows[0].status === 'completed') {
      expect(row.rows[0]).toMatchObject({ status_checks: 0 });
      expect(row.rows[0].video_id).toEqual(expect.any(String));
      break;
    }
    if (Date.now() > deadline) throw new Error('the Veo job never completed');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

test('bad input to the council is a 400 naming the field', async () => {
  const res = await fetch(`${stack.endpoints.services['titan-core']}/council/titans/votes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIM_HEADERS.idempotencyKey]: `bad-vote-${Date.now()}` },
    body: JSON.stringify({ blueprint_id: 'not-a-uuid', predicted_ctr: 0.02 }),
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ field: 'blueprint_id' });
});
