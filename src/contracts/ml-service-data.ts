/**
 * The ML Service's wire facts that hold no schema: kept apart from the zod contract (ml-service.ts) so that
 * workflow and flow code can name them without pulling zod into the workflow bundle.
 */

/** The creative patterns the ML Service measures (compound learning, the RAG index) and answers questions about. */
export const PATTERN_KEYS = ['hook_opening', 'high_motion', 'many_faces', 'many_scenes'] as const;
export type PatternKey = (typeof PATTERN_KEYS)[number];

/** The CTR model's inputs, taken from Drive Intel's analysis of a video. */
export interface CreativeFeatures {
  scene_count: number;
  has_hook: boolean;
  avg_motion: number;
  faces: number;
}

/** The custom deal property that ties a HubSpot delivery to the feedback batch it belongs to. */
export const FEEDBACK_REF_PROPERTY = 'gv_feedback_ref';
