/**
 * The Video Agent's Pro modules, in the order an ad editor applies them. Pure data: the video-processing
 * workflow runs them in this order, and any flow may run one through `POST /render-jobs/:id/modules/:module`.
 */
export const PRO_MODULES = [
  'jump_cuts',
  'stabilization',
  'smart_crop',
  'color_grading',
  'transitions',
  'b_roll_insertion',
  'text_overlays',
  'captions',
  'voiceover',
  'audio_mixing',
  'brand_overlay',
  'end_card',
  'winning_ad_generation',
] as const;

export type ProModule = (typeof PRO_MODULES)[number];

/** Modules long enough to render in segments, each heartbeated, so a restarted worker resumes mid-module. */
export const SEGMENTED_MODULES: readonly ProModule[] = ['winning_ad_generation'];

/** Footage seconds per segment of a segmented module. */
export const SEGMENT_SECONDS = 3;
