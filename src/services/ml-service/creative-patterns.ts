import { PATTERN_KEYS, type CreativeFeatures, type PatternKey } from '../../contracts/ml-service';

/** How each pattern shows in a creative's features: compound learning and the RAG index test them alike. */
export const PATTERN_TESTS: Record<PatternKey, (f: CreativeFeatures) => boolean> = {
  hook_opening: (f) => f.has_hook,
  high_motion: (f) => f.avg_motion >= 0.5,
  many_faces: (f) => f.faces >= 3,
  many_scenes: (f) => f.scene_count >= 8,
};

/** The patterns a creative shows, in PATTERN_KEYS order. */
export function patternsOf(f: CreativeFeatures): PatternKey[] {
  return PATTERN_KEYS.filter((p) => PATTERN_TESTS[p](f));
}
