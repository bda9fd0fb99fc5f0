import { z } from 'zod';
import { route } from './route';
import { idempotencyKeySchema, SIM_HEADERS } from './sim-headers';

/** Titan-Core's wire shapes: the director's battle plans, the council's votes and evaluation, Veo jobs. */

export const OBJECTIVES = ['conversions', 'traffic', 'awareness', 'app_installs'] as const;
/** The AI Council's members; each scores a creative from its own angle. */
export const TITANS = ['brand_guardian', 'performance_oracle', 'creative_director', 'compliance_officer'] as const;
/** Approving votes a plan needs. */
export const QUORUM = 3;

const uuid = z.string().uuid();
export const idParams = z.object({ id: uuid });

/** A campaign brief for the director. */
export const briefSchema = z.object({
  campaign_name: z.string().min(1).max(200),
  objective: z.enum(OBJECTIVES),
  audience: z.string().min(1).max(200),
  daily_budget: z.number().positive().max(1_000_000),
  duration_seconds: z.number().min(5).max(120),
});
export type Brief = z.infer<typeof briefSchema>;

/** The director's battle plan: creative angle, placements, hook, budget phases and KPIs. */
export const battlePlanSchema = z.object({
  angle: z.string(),
  placements: z.array(z.string()),
  hook: z.string(),
  audience: z.string(),
  objective: z.enum(OBJECTIVES),
  budget_phases: z.array(
    z.object({ phase: z.string(), days: z.number().int(), daily_budget: z.number(), variants: z.number().int() }),
  ),
  kpis: z.object({ target_ctr: z.number(), target_roas: z.number() }),
});
export type BattlePlan = z.infer<typeof battlePlanSchema>;

/** The director's answer: the pending blueprint, its storyboard video, the plan. */
export const battlePlanAnswer = z.object({
  blueprint_id: uuid,
  storyboard_video_id: uuid,
  plan: battlePlanSchema,
  created: z.boolean(),
});
export type BattlePlanAnswer = z.infer<typeof battlePlanAnswer>;

/** One titan's vote. */
export const voteSchema = z.object({
  evaluator: z.enum(TITANS),
  score: z.number().min(0).max(1),
  approve: z.boolean(),
  reason: z.string(),
});
export type Vote = z.infer<typeof voteSchema>;

const verdict = z.enum(['approved', 'rejected']);

/** A plan for the council of titans, with the Oracle's predicted CTR. */
export const titanVotesBody = z.object({
  blueprint_id: uuid,
  predicted_ctr: z.number().min(0).max(1),
  prediction_id: uuid.optional(),
});
/** The council's decision: the first decision on a blueprint stands (a retry gets it again, with 200). */
export const titanVotesAnswer = z.object({
  blueprint_id: uuid,
  verdict,
  score: z.number(),
  quorum: z.number().int(),
  titans: z.number().int(),
  approvals: z.number().int(),
  votes: z.array(voteSchema),
  created: z.boolean(),
});
export type TitanVotesAnswer = z.infer<typeof titanVotesAnswer>;

/** A video for the council to evaluate in one call (the creative flow's). */
export const evaluateBody = z.object({
  video_id: uuid,
  predicted_ctr: z.number().min(0).max(1),
  campaign_id: uuid.optional(),
  brief: z.record(z.string(), z.unknown()).optional(),
});
export const evaluateAnswer = z.object({
  blueprint_id: uuid,
  verdict,
  score: z.number(),
  votes: z.array(voteSchema),
  created: z.boolean(),
});
export type EvaluateAnswer = z.infer<typeof evaluateAnswer>;

/** A Veo generation for an approved blueprint. */
export const veoJobBody = z.object({
  blueprint_id: uuid,
  prompt: z.string().min(1).max(2000),
  duration_seconds: z.number().min(2).max(60),
});
/** A Veo job's state; `created` only in the answer that started it (or found it started). */
export const veoStatus = z.object({
  veo_job_id: uuid,
  status: z.enum(['running', 'completed', 'failed']),
  video_id: uuid.nullable(),
  /** Real ms until the generation is due, by the service's clock. */
  remaining_ms: z.number().min(0),
  created: z.boolean().optional(),
});
export type VeoStatus = z.infer<typeof veoStatus>;

const writeHeaders = z.object({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });

/** Titan-Core: the director's battle plans, the council of titans, Veo generation, and one-call evaluation. */
export const TITAN_CORE_ROUTES = {
  battlePlan: route({
    method: 'POST',
    path: '/director/battle-plans',
    summary: 'A battle plan for a campaign, stored as a pending blueprint with its storyboard video',
    headers: writeHeaders,
    body: briefSchema,
    response: battlePlanAnswer,
    status: [201, 200],
  }),
  titanVotes: route({
    method: 'POST',
    path: '/council/titans/votes',
    summary: "The titans' votes on a blueprint; approval needs a quorum (the first decision stands)",
    headers: writeHeaders,
    body: titanVotesBody,
    response: titanVotesAnswer,
    status: [201, 200],
  }),
  startVeo: route({
    method: 'POST',
    path: '/veo/jobs',
    summary: 'Starts a Veo generation for an approved blueprint (409 if it is not approved)',
    headers: writeHeaders,
    body: veoJobBody,
    response: veoStatus,
    status: [201, 200],
  }),
  veoStatus: route({
    method: 'GET',
    path: '/veo/jobs/:id',
    summary: "A Veo job's state (completed once its generation time has passed)",
    params: idParams,
    response: veoStatus,
  }),
  evaluate: route({
    method: 'POST',
    path: '/council/evaluate',
    summary: "The council's one-call evaluation of a video: votes, verdict and a decided blueprint",
    headers: writeHeaders,
    body: evaluateBody,
    response: evaluateAnswer,
    status: [201, 200],
  }),
};
