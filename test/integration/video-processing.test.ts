import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { FLOWS } from '../../src/flows/catalog';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { segmentCount } from '../../src/services/video-agent/modules';
import { PRO_MODULES } from '../../src/contracts/video-agent-modules';
import { TEST_BUNDLE_FILE } from '../support/paths';
import { rowsPerFlow, runOptions } from '../support/runs';
import { kill, startUntil } from '../support/spawn';
import { useTestStack, testStackEnv } from '../support/stack';

const STEPS = FLOWS['video-processing'].steps;

const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) await kill(child, 'SIGTERM');
});
const stack = useTestStack();

interface Transition {
  status: string;
  module?: string;
  output?: Record<string, unknown>;
  output_video_id?: string;
}

/** Every flow ingested one video and ran one render job through all thirteen modules, each once, in order. */
async function expectVideoRowsOncePerFlow(result: StandardResult): Promise<void> {
  const n = result.total_operations;
  for (const [table, step] of [
    ['videos', 'ingestion'],
    ['render_jobs', 'render_job'],
    ['videos', 'render_job:output'],
  ]) {
    const rows = await rowsPerFlow(stack.pool, table, result.run_id, step);
    expect({ table, step, flows: rows.size }).toEqual({ table, step, flows: n });
    expect([...rows.values()].every((count) => count === 1)).toBe(true);
  }
  const jobs = await stack.pool.query(
    `SELECT j.id, j.status, j.progress, j.transitions, j.output_video_id, o.kind, o.status AS video_status,
            s.duration_seconds AS source_seconds
     FROM render_jobs j JOIN videos o ON o.id = j.output_video_id JOIN videos s ON s.id = j.source_video_id
     WHERE j.idempotency_key LIKE $1`,
    [`${result.run_id}-%:render_job`],
  );
  expect(jobs.rowCount).toBe(n);
  for (const job of jobs.rows) {
    expect(job).toMatchObject({ status: 'completed', progress: 1, kind: 'rendered', video_status: 'rendered' });
    const transitions = job.transitions as Transition[];
    expect(transitions[0].status).toBe('queued');
    expect(transitions.filter((t) => t.module).map((t) => t.module)).toEqual([...PRO_MODULES]);
    expect(transitions.at(-1)).toMatchObject({ status: 'completed', output_video_id: job.output_video_id });
    const out = Object.fromEntries(transitions.filter((t) => t.module).map((t) => [t.module, t.output!]));
    // Captions are timed cues inside the footage; the crop is vertical; the mix hits the platform target.
    const cues = out.captions.cues as Array<{ start_s: number; end_s: number; text: string }>;
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) {
      expect(cue.end_s).toBeGreaterThan(cue.start_s);
      expect(cue.end_s).toBeLessThanOrEqual(Number(job.source_seconds));
      expect(cue.text.length).toBeLessThanOrEqual(32);
    }
    const boxes = out.smart_crop.boxes as Array<{ w: number; h: number }>;
    for (const box of boxes) expect(box.w / box.h).toBeCloseTo(9 / 16, 2);
    expect(out.audio_mixing).toMatchObject({ target_lufs: -14, output_lufs: -14 });
    expect(out.winning_ad_generation).toMatchObject({
      aspect_ratio: '9:16',
      modules_applied: PRO_MODULES.slice(0, -1),
      segments: segmentCount(Number(job.source_seconds)),
    });
  }
}

/** Segments of the run's winning-ad renders: each rendered once however often it was asked for. */
async function segmentsOf(runId: string) {
  const res = await stack.pool.query(
    `SELECT j.id AS job_id, seg.segment, seg.attempt, seg.resumed_from, seg.requests, seg.processings
     FROM render_segments seg JOIN render_jobs j ON j.id = seg.render_job_id
     WHERE j.idempotency_key LIKE $1 ORDER BY j.id, seg.segment`,
    [`${runId}-%:render_job`],
  );
  return res.rows as Array<{
    job_id: string;
    segment: number;
    attempt: number;
    resumed_from: number;
    requests: number;
    processings: number;
  }>;
}

async function run(opts: Parameters<typeof runOptions>[0]): Promise<StandardResult> {
  return stack.runFlow({ flow: 'video-processing', ...opts });
}

test('12 flows run all sixteen steps once each: one render job with the 13 modules in order, one rendered video', async () => {
  const result = await run({ count: 12, concurrency: 4 });
  expect(() => standardResultSchema.parse(result)).not.toThrow();
  expect(result).toMatchObject({ flow: 'video-processing', status: 'completed', total_operations: 12, failed: 0 });
  expect(result.success_rate).toBe(100);
  expect(Object.keys(result.step_analysis)).toEqual([...STEPS]);
  for (const step of STEPS) expect(result.step_analysis[step].executions).toBe(12);
  await expectVideoRowsOncePerFlow(result);
  const segments = await segmentsOf(result.run_id);
  expect(segments.every((s) => s.processings === 1 && s.requests === 1 && s.attempt === 1)).toBe(true);
});

test('with 20% 5xx on Drive Intel and the Video Agent, retries happen and every row is still written once', async () => {
  const flaky = { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.2 };
  const faults: FaultProfile = {
    name: 'flaky-video',
    defaults: BUILT_IN_PROFILES.none.defaults,
    services: { 'drive-intel': flaky, 'video-agent': flaky },
  };
  const result = await run({ count: 10, concurrency: 5, faults, faultsName: faults.name });
  expect(result).toMatchObject({ status: 'completed', total_operations: 10, failed: 0 });
  const retries = STEPS.reduce((s, step) => s + result.step_analysis[step].retries, 0);
  expect(retries).toBeGreaterThan(0);
  for (const step of STEPS) {
    const s = result.step_analysis[step];
    expect(s.attempts).toBe(s.executions + s.retries);
  }
  await expectVideoRowsOncePerFlow(result);
  const segments = await segmentsOf(result.run_id);
  // A 503 comes before any work: no segment was ever rendered twice.
  expect(segments.every((s) => s.processings === 1)).toBe(true);
});

test('the Pro module endpoint applies a module once, and refuses bad input with a 400 naming the field', async () => {
  const post = async (service: 'drive-intel' | 'video-agent', path: string, body: unknown) => {
    const res = await fetch(`${stack.endpoints.services[service]}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `module-endpoint-${process.pid}-${Date.now()}-${path}`,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  // A job of this test's own: an ingested, scene-detected video opened for editing.
  const video = await post('drive-intel', '/ingestions', {
    source_url: 'https://drive.example/x.mp4',
    duration_seconds: 9,
  });
  expect(video.status).toBe(201);
  expect((await post('drive-intel', `/videos/${String(video.body.video_id)}/scenes`, {})).status).toBe(200);
  const opened = await post('video-agent', '/render-jobs/edits', { source_video_id: video.body.video_id });
  expect(opened.status).toBe(201);
  const id = opened.body.render_job_id as string;
  // Any flow can run one module on the job: a repeat answers what the first call wrote.
  const first = await post('video-agent', `/render-jobs/${id}/modules/color_grading`, { params: { look: 'warm' } });
  expect(first).toMatchObject({ status: 201, body: { module: 'color_grading', status: 'rendering' } });
  expect(first.body.output).toMatchObject({ lut: 'golden_hour.cube' });
  const again = await post('video-agent', `/render-jobs/${id}/modules/color_grading`, { params: { look: 'warm' } });
  expect(again).toMatchObject({ status: 200, body: { created: false, output: first.body.output } });
  // The winning ad needs its segments rendered first.
  expect(await post('video-agent', `/render-jobs/${id}/modules/winning_ad_generation`, {})).toMatchObject({
    status: 409,
    body: { field: 'segments' },
  });
  expect(await post('video-agent', `/render-jobs/${id}/modules/lens_flare`, {})).toMatchObject({
    status: 400,
    body: { field: 'module' },
  });
  expect(
    await post('video-agent', `/render-jobs/${id}/modules/captions`, { params: { max_chars: 'wide' } }),
  ).toMatchObject({
    status: 400,
    body: { field: 'params.max_chars' },
  });
  expect(
    await post('video-agent', `/render-jobs/${id}/modules/winning_ad_generation/segments/999`, {
      attempt: 1,
      resumed_from: 0,
    }),
  ).toMatchObject({ status: 400, body: { field: 'segment' } });
});

test('a worker killed mid-render: the new worker resumes winning_ad_generation from its last heartbeat', async () => {
  const workerEnv = { ...testStackEnv(), WORKFLOW_BUNDLE: fs.readFileSync(TEST_BUNDLE_FILE, 'utf8') };
  const worker = await startUntil(process.execPath, ['--import', 'tsx', 'src/worker.ts'], workerEnv, /worker ready/);
  started.push(worker);
  // A slower platform clock so a render lasts seconds (footage of 6-45 s: 2-15 segments of 0.48 s each).
  const opts = runOptions({ flow: 'video-processing', count: 4, concurrency: 4, timeScale: 0.2 });
  const handle = await startStressRun(stack.client, opts);

  // Wait for a render that is well under way but not finished, then kill the worker without warning.
  const deadline = Date.now() + 120_000;
  let midway: { id: string; done: number } | undefined;
  while (!midway) {
    const rows = await segmentsOf(handle.workflowId);
    const perJob = new Map<string, number>();
    for (const r of rows) perJob.set(r.job_id, (perJob.get(r.job_id) ?? 0) + 1);
    const jobs = await stack.pool.query(
      `SELECT j.id, s.duration_seconds FROM render_jobs j JOIN videos s ON s.id = j.source_video_id
       WHERE j.idempotency_key LIKE $1`,
      [`${handle.workflowId}-%:render_job`],
    );
    const job = jobs.rows.find((j) => {
      const done = perJob.get(j.id) ?? 0;
      return done >= 2 && done <= segmentCount(Number(j.duration_seconds)) - 3;
    });
    if (job) {
      midway = { id: job.id, done: perJob.get(job.id)! };
      break;
    }
    if (Date.now() > deadline) throw new Error('no render reached the middle of its segments');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await kill(worker);

  const result = await stack.withWorker(() => awaitStressRun(stack.client, handle.workflowId));
  expect(result).toMatchObject({ status: 'completed', completed_operations: 4, failed: 0 });
  await expectVideoRowsOncePerFlow(result);

  const segments = await segmentsOf(result.run_id);
  expect(result.step_analysis.winning_ad_generation.retries).toBeGreaterThan(0);
  // The killed render's retry started past the first segment (where its heartbeat said), not over again...
  const job = segments.filter((s) => s.job_id === midway.id);
  const resumed = job.filter((s) => s.attempt > 1);
  expect(resumed.length).toBeGreaterThan(0);
  expect(Math.min(...resumed.map((s) => s.resumed_from))).toBeGreaterThan(0);
  expect(Math.min(...resumed.map((s) => s.segment))).toBeGreaterThanOrEqual(midway.done);
  // ...and no segment of any render was rendered twice, nor asked for anywhere near twice.
  expect(segments.every((s) => s.processings === 1)).toBe(true);
  expect(job.reduce((sum, s) => sum + s.requests, 0)).toBeLessThan(2 * job.length);
});
