/**
 * The patterns the predictor knows. Kept apart from the zod contract (pattern-contract.ts) so that workflow code
 * can name them without pulling zod into the workflow bundle, where every new workflow would build it again.
 */
export const PATTERN_KEYS = ['hook_opening', 'high_motion', 'many_faces', 'many_scenes'] as const;
