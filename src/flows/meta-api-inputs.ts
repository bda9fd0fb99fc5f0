import { hashSeed, seededRng } from '../stats/random';

/** Ad accounts one run's meta-api flows share: enough flows per account that its hourly limit really binds. */
export const META_API_ACCOUNTS_PER_SEED = 4;

/** The meta-api flows' accounts for a seed (act_5…), apart from every other flow's accounts. */
export function metaApiAccounts(seed: number): string[] {
  const base = 500_000 + (seed % 10_000) * 10;
  return Array.from({ length: META_API_ACCOUNTS_PER_SEED }, (_, i) => `act_${base + i + 1}`);
}

/** One meta-api flow's inputs, from the run's seed and the flow's index. Pure. */
export function metaApiInputs(seed: number, runId: string, index: number) {
  const rng = seededRng(hashSeed(`meta-api:${seed}:${runId}:${index}`));
  const dailyBudget = Math.round(5000 + 45_000 * rng()) / 100;
  // A move of 5-40% up or down: past 20% the executor's velocity limit must clip it.
  const move = (0.05 + 0.35 * rng()) * (rng() < 0.5 ? -1 : 1);
  return {
    adAccountId: metaApiAccounts(seed)[index % META_API_ACCOUNTS_PER_SEED],
    name: `gv-${runId}-${index}`,
    dailyBudget,
    requestedBudget: Math.round(dailyBudget * (1 + move) * 100) / 100,
    creative: { title: `Creative ${index}`, video_ref: `video://${runId}/${index}`, call_to_action: 'SHOP_NOW' },
  };
}
