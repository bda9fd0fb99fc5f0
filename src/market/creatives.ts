import type { CreativeFeatures } from '../services/ml-service/ctr-model';
import { hashSeed, seededRng, standardNormal } from '../stats/random';

/**
 * The creatives the platform launches each learning cycle: features a model can see, and a hidden CTR
 * that truly depends on them (plus each account's taste and each ad's own luck). Pure.
 */
export interface Creative {
  adId: string;
  accountId: string;
  adSetId: string;
  features: CreativeFeatures;
  ctr: number;
}

/** The market's hidden truth: what really drives clicks. Models start elsewhere and must learn it. */
export const TRUE_CTR_MODEL = {
  intercept: -4.9,
  weights: { scene_count: 0.03, has_hook: 0.8, avg_motion: 1.1, faces: -0.12 },
};
const ACCOUNT_TASTE = [-0.05, 0, 0.05];
export const CREATIVE_ACCOUNTS = ACCOUNT_TASTE.map((_, i) => `act_${300001 + i}`);
export const AD_SETS_PER_ACCOUNT = 2;
export const ADS_PER_AD_SET = 4;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Ad ids carry the seed and the cycle (`act_300001_cr42_c3_g0_ad1`), so two markets never share an ad. */
export function creativeBatch(seed: number, cycle: number): Creative[] {
  const rng = seededRng(hashSeed(`creatives:${seed}:${cycle}`));
  return CREATIVE_ACCOUNTS.flatMap((accountId, a) =>
    Array.from({ length: AD_SETS_PER_ACCOUNT * ADS_PER_AD_SET }, (_, i) => {
      const features: CreativeFeatures = {
        scene_count: 2 + Math.floor(rng() * 13),
        has_hook: rng() < 0.5,
        avg_motion: Math.round(rng() * 100) / 100,
        faces: Math.floor(rng() * 7),
      };
      const w = TRUE_CTR_MODEL.weights;
      const z =
        TRUE_CTR_MODEL.intercept +
        w.scene_count * features.scene_count +
        w.has_hook * (features.has_hook ? 1 : 0) +
        w.avg_motion * features.avg_motion +
        w.faces * features.faces +
        ACCOUNT_TASTE[a] +
        0.05 * standardNormal(rng);
      const adSet = Math.floor(i / ADS_PER_AD_SET);
      return {
        adId: `${accountId}_cr${seed}_c${cycle}_g${adSet}_ad${i % ADS_PER_AD_SET}`,
        accountId,
        adSetId: `${accountId}_cr${seed}_c${cycle}_g${adSet}`,
        features,
        ctr: sigmoid(z),
      };
    }),
  );
}
