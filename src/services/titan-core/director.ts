import type { Brief } from '../../contracts/titan-core';
import { hashSeed, pick, seededRng } from '../../stats/random';
import { detectScenes } from '../drive-intel/routes';

const ANGLES = ['problem_solution', 'testimonial', 'before_after', 'unboxing', 'founder_story', 'us_vs_them'] as const;
const PLACEMENTS = ['reels', 'stories', 'feed', 'tiktok'] as const;

/**
 * The director's battle plan for a campaign: creative angle, placements, budget phases, and a storyboard
 * whose scenes the ML Service can score before any footage exists. Seeded by the plan's key (retries agree).
 */
export function battlePlan(key: string, brief: Brief) {
  const rng = seededRng(hashSeed(`${key}:plan`));
  const scenes = detectScenes(`${key}:storyboard`, brief.duration_seconds);
  // Not every plan opens on a strong hook: those score lower with the Oracle and the council.
  const hasHook = rng() < 0.7;
  if (!hasHook && scenes[0]) scenes[0] = { ...scenes[0], kind: 'lifestyle' };
  const testing = Math.round(brief.daily_budget * 0.3 * 100) / 100;
  return {
    plan: {
      angle: pick(rng, ANGLES),
      placements: [...PLACEMENTS].filter(() => rng() < 0.7),
      hook: hasHook ? pick(rng, ['question', 'bold_claim', 'pattern_interrupt', 'social_proof']) : 'none',
      audience: brief.audience,
      objective: brief.objective,
      budget_phases: [
        { phase: 'test', days: 3, daily_budget: testing, variants: 4 },
        { phase: 'scale', days: 11, daily_budget: brief.daily_budget, variants: 2 },
      ],
      kpis: { target_ctr: brief.objective === 'awareness' ? 0.008 : 0.015, target_roas: 2.5 },
    },
    scenes,
    features: {
      scene_count: scenes.length,
      has_hook: hasHook,
      avg_motion: scenes.reduce((s, x) => s + x.motion, 0) / scenes.length,
      faces: scenes.reduce((s, x) => s + x.faces, 0),
    },
  };
}

/** Veo's generation time in platform ms: a queue wait plus time per second of generated footage. */
export function veoGenerationMs(key: string, durationSeconds: number): number {
  const rng = seededRng(hashSeed(`${key}:veo`));
  return 60_000 + durationSeconds * 6_000 + rng() * 60_000;
}
