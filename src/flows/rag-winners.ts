import type { CreativeFeatures } from '../contracts/ml-service-data';
import { creativeBatch, AD_SETS_PER_ACCOUNT, CREATIVE_ACCOUNTS } from '../market/creatives';
import { hashSeed, pick, seededRng } from '../stats/random';

/** A winning creative as the RAG index stores it: what it is, what it says, how it did. Pure. */
export interface Winner {
  ad_id: string;
  ad_account_id: string;
  ad_set_id: string;
  features: CreativeFeatures;
  ctr: number;
  copy_text: string;
}

const TONES = ['bold', 'calm', 'playful', 'urgent', 'luxury', 'friendly', 'witty', 'honest', 'epic', 'cozy'];
const PRODUCTS = [
  'running shoes',
  'coffee beans',
  'yoga mats',
  'smart watch',
  'skin serum',
  'meal kits',
  'travel bags',
  'gaming chair',
  'plant food',
  'dog treats',
  'phone case',
  'desk lamp',
  'protein bars',
  'sun glasses',
  'rain jacket',
  'bike helmet',
];
const BENEFITS = [
  'free shipping',
  'half price',
  'lasts forever',
  'made local',
  'ships today',
  'eco friendly',
  'award winning',
  'money back',
  'limited drop',
  'best seller',
  'new formula',
  'lifetime warranty',
];
const ACTIONS = ['shop now', 'learn more', 'try it', 'order today', 'see why', 'join free'];

/** Words a query can use to ask for creatives like this one. */
export function describeFeatures(f: CreativeFeatures): string {
  return [
    f.has_hook ? 'hook opening' : 'slow opening',
    f.avg_motion >= 0.66 ? 'high motion' : f.avg_motion >= 0.33 ? 'steady motion' : 'calm motion',
    f.faces === 0 ? 'no faces' : f.faces < 3 ? 'few faces' : 'many faces',
    f.scene_count >= 8 ? 'many scenes' : 'few scenes',
  ].join(' ');
}

/** The ad's copy, fixed by its id: a tone, a product, two benefits and a call to action. */
export function copyFor(adId: string): string {
  const rng = seededRng(hashSeed(`copy:${adId}`));
  const first = pick(rng, BENEFITS);
  const second = pick(
    rng,
    BENEFITS.filter((b) => b !== first),
  );
  return `${pick(rng, TONES)} ${pick(rng, PRODUCTS)} ${first} ${second} ${pick(rng, ACTIONS)}`;
}

export const WINNERS_PER_CYCLE = CREATIVE_ACCOUNTS.length * AD_SETS_PER_ACCOUNT;

/** The truly best ad of one ad set of the market: flow `index` takes ad set index % 6 of cycle index / 6. */
export function winnerFor(seed: number, index: number): Winner {
  const batch = creativeBatch(seed, Math.floor(index / WINNERS_PER_CYCLE));
  const adSets = [...new Set(batch.map((c) => c.adSetId))];
  const adSetId = adSets[index % WINNERS_PER_CYCLE];
  const best = batch.filter((c) => c.adSetId === adSetId).reduce((a, b) => (b.ctr > a.ctr ? b : a));
  return {
    ad_id: best.adId,
    ad_account_id: best.accountId,
    ad_set_id: best.adSetId,
    features: best.features,
    ctr: best.ctr,
    copy_text: `${copyFor(best.adId)} ${describeFeatures(best.features)}`,
  };
}
