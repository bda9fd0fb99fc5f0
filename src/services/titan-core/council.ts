import { QUORUM, TITANS, type Vote } from '../../contracts/titan-core';
import { hashSeed, seededRng } from '../../stats/random';

/**
 * Each titan scores around the predicted CTR's promise with its own bias and noise; approval needs a
 * quorum of approving votes. Seeded by the blueprint's key, so a retried evaluation votes the same.
 */
export function councilVote(key: string, predictedCtr: number): { votes: Vote[]; approved: boolean; score: number } {
  const rng = seededRng(hashSeed(key));
  // 1.5% CTR is an ordinary ad; the promise rises with the prediction.
  const promise = Math.min(1, predictedCtr / 0.03);
  const votes = TITANS.map((evaluator, i) => {
    const score = Math.max(0, Math.min(1, 0.35 + 0.5 * promise + (rng() - 0.5) * 0.5 - i * 0.02));
    const approve = score >= 0.55;
    return {
      evaluator,
      score: Math.round(score * 1000) / 1000,
      approve,
      reason: approve ? 'meets the bar for its angle' : 'below the bar for its angle',
    };
  });
  const approved = votes.filter((v) => v.approve).length >= QUORUM;
  const score = votes.reduce((s, v) => s + v.score, 0) / votes.length;
  return { votes, approved, score: Math.round(score * 1000) / 1000 };
}
