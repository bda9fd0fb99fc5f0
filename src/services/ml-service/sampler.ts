import { sampleBeta, sampleGamma } from '../../stats/distributions';
import type { Rng } from '../../stats/random';

/** One window of an ad's results: Meta's delivery (impressions, clicks, spend) and HubSpot's revenue. */
export interface Observation {
  /** How long ago the window ended, in platform hours. */
  ageHours: number;
  impressions: number;
  clicks: number;
  spend: number;
  conversions: number;
  revenue: number;
}

export interface AdEvidence {
  adId: string;
  observations: Observation[];
}

export interface SamplerOptions {
  /** Evidence loses half its weight every this many platform hours: recent data counts more. */
  halfLifeHours: number;
  /** Monte Carlo draws for the probability that each ad is best. */
  draws: number;
  /** Smallest share any ad keeps, so the sampler never stops learning about it. */
  minShare: number;
}

export const DEFAULT_SAMPLER: SamplerOptions = { halfLifeHours: 24, draws: 4000, minShare: 0.05 };

// Weak priors: about a 1% CTR, and about 2 currency units of revenue per click.
const CTR_PRIOR = { alpha: 1, beta: 99 };
const VALUE_PRIOR = { shape: 1, rate: 0.5 };

export interface AdPosterior {
  adId: string;
  weightedImpressions: number;
  ctr: { alpha: number; beta: number; mean: number };
  /** Revenue per click is exponential with a gamma-distributed rate. */
  clickValueRate: { shape: number; rate: number };
  /** Posterior mean revenue per impression. */
  expectedValue: number;
  probabilityBest: number;
}

/** Posteriors from recency-weighted evidence: Beta for the click rate, Gamma for the revenue per click. */
export function posteriors(
  ads: AdEvidence[],
  opts: SamplerOptions = DEFAULT_SAMPLER,
): Omit<AdPosterior, 'probabilityBest'>[] {
  return ads.map(({ adId, observations }) => {
    let impressions = 0;
    let clicks = 0;
    let revenue = 0;
    for (const o of observations) {
      const w = Math.pow(0.5, Math.max(0, o.ageHours) / opts.halfLifeHours);
      impressions += w * o.impressions;
      clicks += w * Math.min(o.clicks, o.impressions);
      revenue += w * o.revenue;
    }
    const alpha = CTR_PRIOR.alpha + clicks;
    const beta = CTR_PRIOR.beta + impressions - clicks;
    const shape = VALUE_PRIOR.shape + clicks;
    const rate = VALUE_PRIOR.rate + revenue;
    const ctrMean = alpha / (alpha + beta);
    // E[1/lambda] for lambda ~ Gamma(shape, rate) is rate / (shape - 1).
    const valuePerClick = shape > 1 ? rate / (shape - 1) : 1 / VALUE_PRIOR.rate;
    return {
      adId,
      weightedImpressions: impressions,
      ctr: { alpha, beta, mean: ctrMean },
      clickValueRate: { shape, rate },
      expectedValue: ctrMean * valuePerClick,
    };
  });
}

/**
 * Thompson sampling: draw each ad's value per impression from its posterior, count how often each is
 * best, and split the budget by that probability (with a floor per ad).
 */
export function thompsonAllocate(
  ads: AdEvidence[],
  rng: Rng,
  opts: SamplerOptions = DEFAULT_SAMPLER,
): { posteriors: AdPosterior[]; split: Record<string, number> } {
  const post = posteriors(ads, opts);
  const wins = new Array<number>(post.length).fill(0);
  for (let d = 0; d < opts.draws; d++) {
    let best = 0;
    let bestValue = -Infinity;
    post.forEach((p, i) => {
      const ctr = sampleBeta(rng, p.ctr.alpha, p.ctr.beta);
      const value = ctr / sampleGamma(rng, p.clickValueRate.shape, p.clickValueRate.rate);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    wins[best] += 1;
  }
  const withP = post.map((p, i) => ({ ...p, probabilityBest: wins[i] / opts.draws }));
  const floor = Math.min(opts.minShare, 1 / Math.max(1, post.length));
  const raw = withP.map((p) => Math.max(floor, p.probabilityBest));
  const total = raw.reduce((s, x) => s + x, 0);
  const split = Object.fromEntries(withP.map((p, i) => [p.adId, raw[i] / total]));
  return { posteriors: withP, split };
}

/** Probability that each ad has the highest click rate (Beta posteriors, Monte Carlo): for promoting on clicks alone. */
export function probabilityBestByCtr(
  ads: Array<{ adId: string; impressions: number; clicks: number }>,
  rng: Rng,
  draws = 4000,
): Record<string, number> {
  const wins = new Array<number>(ads.length).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = -Infinity;
    ads.forEach((a, i) => {
      const v = sampleBeta(rng, 1 + a.clicks, 1 + Math.max(0, a.impressions - a.clicks));
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    });
    wins[best] += 1;
  }
  return Object.fromEntries(ads.map((a, i) => [a.adId, wins[i] / draws]));
}
