import { hashSeed, seededRng, standardNormal, type Rng } from '../stats/random';

/**
 * The simulated market: the ground truth the platform learns from. Ads in ad sets in ad accounts, each
 * with a hidden click-through rate, conversion rate and deal value, all derived from one seed. Pure.
 */
export interface MarketAd {
  adId: string;
  adSetId: string;
  accountId: string;
  ctr: number;
  conversionRate: number;
  dealValue: number;
}

export interface MarketAdSet {
  adSetId: string;
  accountId: string;
  initialDailyBudget: number;
  ads: MarketAd[];
}

export interface MarketShape {
  accounts: number;
  adSetsPerAccount: number;
  adsPerAdSet: number;
}

/** Platform time zero of the market: round (or cycle) n is the platform hour starting n hours after it. */
export const MARKET_EPOCH_MS = Date.UTC(2026, 0, 1);
export const MARKET_HOUR_MS = 3_600_000;

/** The platform hour of round n, as epoch milliseconds. */
export function marketHour(n: number): { start: number; end: number } {
  const start = MARKET_EPOCH_MS + n * MARKET_HOUR_MS;
  return { start, end: start + MARKET_HOUR_MS };
}

export const DEFAULT_MARKET_SHAPE: MarketShape = { accounts: 3, adSetsPerAccount: 10, adsPerAdSet: 4 };

export function buildMarket(seed: number, shape: MarketShape = DEFAULT_MARKET_SHAPE): MarketAdSet[] {
  const rng = seededRng(hashSeed(`market:${seed}`));
  const adSets: MarketAdSet[] = [];
  for (let a = 0; a < shape.accounts; a++) {
    const accountId = `act_${200001 + a}`;
    for (let s = 0; s < shape.adSetsPerAccount; s++) {
      const adSetId = `${accountId}_as${s}`;
      const ads = Array.from({ length: shape.adsPerAdSet }, (_, i) => ({
        adId: `${adSetId}_ad${i}`,
        adSetId,
        accountId,
        // CTRs spread around 1.2% (roughly 0.5% to 3%), conversion 2-8% of clicks, deals 100-1000.
        ctr: Math.min(0.06, 0.012 * Math.exp(0.45 * standardNormal(rng))),
        conversionRate: 0.02 + 0.06 * rng(),
        dealValue: Math.round(100 + 900 * rng()),
      }));
      adSets.push({ adSetId, accountId, initialDailyBudget: Math.round(50 + 450 * rng()), ads });
    }
  }
  return adSets;
}

/** Expected revenue per impression: what an allocator should maximise. */
export const valuePerImpression = (ad: MarketAd) => ad.ctr * ad.conversionRate * ad.dealValue;

/** A binomial draw: exact for small counts, Poisson or normal approximations for large ones. */
export function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n <= 50) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng() < p) k++;
    return k;
  }
  const mean = n * p;
  if (mean < 30) {
    // Poisson by multiplication (Knuth), fine for small means.
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = rng();
    while (prod > limit) {
      k++;
      prod *= rng();
    }
    return Math.min(k, n);
  }
  const sd = Math.sqrt(mean * (1 - p));
  return Math.max(0, Math.min(n, Math.round(mean + sd * standardNormal(rng))));
}

/** What `impressions` of an ad bring: clicks, conversions (closed-won deals) and their revenue. */
export function deliver(ad: MarketAd, impressions: number, rng: Rng) {
  const clicks = binomial(rng, impressions, ad.ctr);
  const conversions = binomial(rng, clicks, ad.conversionRate);
  let revenue = 0;
  for (let i = 0; i < conversions; i++) revenue += Math.round(ad.dealValue * (0.7 + 0.6 * rng()));
  return { clicks, conversions, revenue };
}

const markets = new Map<number, MarketAdSet[]>();

/** The market for a seed, built once per process. */
export function marketFor(seed: number): MarketAdSet[] {
  let market = markets.get(seed);
  if (!market) {
    market = buildMarket(seed);
    markets.set(seed, market);
  }
  return market;
}

/**
 * The ad set a flow of a run works on, and which platform hour of it: flows go round the market's ad sets,
 * one round per pass, so concurrent flows of a run spread over the ad sets.
 */
export function adSetOfFlow(seed: number, index: number): { adSet: MarketAdSet; round: number } {
  const market = marketFor(seed);
  return { adSet: market[index % market.length], round: Math.floor(index / market.length) };
}

/** Cost per thousand impressions in the simulated auction. */
export const CPM = 5;

/**
 * Meta's delivery of one ad set for platform hour `round`: impressions follow the budget and its split
 * over the ads, clicks the hidden CTR. Seeded by (seed, ad, round), so asking again gives the same answer.
 */
export function hourlyDelivery(
  seed: number,
  adSet: MarketAdSet,
  dailyBudget: number,
  split: Record<string, number>,
  round: number,
) {
  const impressionsPerHour = ((dailyBudget / 24) * 1000) / CPM;
  return adSet.ads.map((ad) => {
    const rng = seededRng(hashSeed(`delivery:${seed}:${ad.adId}:${round}`));
    const share = split[ad.adId] ?? 1 / adSet.ads.length;
    const impressions = Math.max(0, Math.round(impressionsPerHour * share * (0.9 + 0.2 * rng())));
    const clicks = binomial(rng, impressions, ad.ctr);
    return { ad, impressions, clicks, spend: Math.round(impressions * CPM) / 1000 };
  });
}

/** The closed-won deals that an ad's clicks of one platform hour bring (HubSpot's side). Seeded like delivery. */
export function closedDeals(seed: number, ad: MarketAd, clicks: number, round: number) {
  const rng = seededRng(hashSeed(`deals:${seed}:${ad.adId}:${round}`));
  const conversions = binomial(rng, clicks, ad.conversionRate);
  return Array.from({ length: conversions }, (_, i) => ({
    dealId: 9_000_000_000 + (hashSeed(`${ad.adId}:${round}:${i}`) % 1_000_000_000),
    amount: Math.round(ad.dealValue * (0.7 + 0.6 * rng())),
  }));
}
