import type { CreativeFeatures } from '../../contracts/ml-service';

export type { CreativeFeatures };

export interface CtrModel {
  version: string;
  intercept: number;
  weights: Record<keyof CreativeFeatures, number>;
}

/** The model the service starts with, before any retraining. */
export const INITIAL_MODEL: CtrModel = {
  version: 'ctr-v1',
  intercept: -5.5,
  weights: { scene_count: 0.04, has_hook: 0.45, avg_motion: 0.6, faces: 0.08 },
};

/** Logistic regression over the creative's features: a probability of a click per impression. */
export function predictCtr(model: CtrModel, f: CreativeFeatures): number {
  const z =
    model.intercept +
    model.weights.scene_count * Math.min(f.scene_count, 20) +
    model.weights.has_hook * (f.has_hook ? 1 : 0) +
    model.weights.avg_motion * f.avg_motion +
    model.weights.faces * Math.min(f.faces, 10);
  return 1 / (1 + Math.exp(-z));
}
