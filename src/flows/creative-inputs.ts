import { hashSeed, seededRng } from '../stats/random';

const AD_ACCOUNTS = 5;

/** The simulated inputs of one creative flow, derived from the run's seed and the flow's index. Pure. */
export function creativeInputs(seed: number, runId: string, index: number) {
  const rng = seededRng(hashSeed(`${seed}:${runId}:${index}`));
  return {
    sourceUrl: `https://drive.example/creatives/${runId}/${index}.mp4`,
    durationSeconds: Math.round((6 + rng() * 39) * 10) / 10,
    adId: `ad_${runId}_${index}`,
    adAccountId: `act_${100001 + (index % AD_ACCOUNTS)}`,
    // Four ad sets in each account, standing on the simulated Meta (a queued change must name one that exists).
    adSetId: `act_${100001 + (index % AD_ACCOUNTS)}_as${Math.floor((index % (AD_ACCOUNTS * 4)) / AD_ACCOUNTS)}`,
  };
}
