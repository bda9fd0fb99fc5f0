import type { ActivityDeps } from './deps';
import type { CallContext } from '../flows/types';
import { hashSeed, seededRng } from '../stats/random';
import { attempted, callService } from './http';

export interface SimilarWinner {
  ad_id: string;
  ad_account_id: string;
  distance: number;
  patterns: string[];
}

/**
 * The creative behind a market ad, as the RAG index describes creatives: the market models an ad's
 * delivery, not its footage, so its features come from its id (the same ad always looks the same).
 */
export function marketAdCreative(adId: string) {
  const rng = seededRng(hashSeed(`creative:${adId}`));
  const features = {
    scene_count: 3 + Math.floor(rng() * 10),
    has_hook: rng() < 0.6,
    avg_motion: Math.round(rng() * 100) / 100,
    faces: Math.floor(rng() * 5),
  };
  const query = [
    features.has_hook ? 'strong hook opening' : 'slow open',
    features.avg_motion >= 0.5 ? 'fast moving' : 'calm',
    features.faces >= 3 ? 'many faces' : 'product focus',
    `${features.scene_count} scenes`,
  ].join(' ');
  return { features, query };
}

/** best-ads-level's own call: winners like the ad set's leading ad, from the RAG index. */
export function createBestAdsActivities(deps: ActivityDeps) {
  return {
    best_ads_rag_search: (ctx: CallContext, input: { ad_id: string; k: number }) =>
      attempted(async () => {
        const { features, query } = marketAdCreative(input.ad_id);
        const found = await callService<{ results: SimilarWinner[]; cache: string }>(
          deps,
          'ml-service',
          ctx,
          'POST',
          '/rag/search',
          { query, features, k: input.k },
        );
        // The patterns most of the neighbours share: what the ad set's next creatives should carry.
        const counts = new Map<string, number>();
        for (const w of found.results) for (const p of w.patterns ?? []) counts.set(p, (counts.get(p) ?? 0) + 1);
        const shared = [...counts].filter(([, n]) => n * 2 > found.results.length).map(([p]) => p);
        return { similar: found.results.map((w) => w.ad_id), shared_patterns: shared.sort(), cache: found.cache };
      }),
  };
}
