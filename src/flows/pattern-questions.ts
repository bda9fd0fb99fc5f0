import { hashSeed, pick, seededRng } from '../stats/random';
import { CREATIVE_ACCOUNTS } from '../market/creatives';
import type { PatternQuestion } from '../contracts/ml-service';
import { PATTERN_KEYS, type PatternKey } from '../contracts/ml-service-data';

/** The footage a question's suggested edits are tried on. */
export interface EditClip {
  source_url: string;
  duration_seconds: number;
}

const words = (p: PatternKey) => p.replace(/_/g, ' ');

/**
 * A random question (pure, seeded by seed and flow index, so a run's questions reproduce), and the clip its
 * suggested edits are applied to.
 */
export function patternQuestion(seed: number, index: number): { question: PatternQuestion; clip: EditClip } {
  const rng = seededRng(hashSeed(`pattern-question:${seed}:${index}`));
  const account = pick(rng, CREATIVE_ACCOUNTS);
  const clip = {
    source_url: `https://cdn.example.com/pattern-prediction/${seed}/${index}.mp4`,
    duration_seconds: 8 + Math.floor(rng() * 25),
  };
  const kind = pick(rng, ['best_pattern', 'pattern_lift', 'combination', 'edit_plan'] as const);
  switch (kind) {
    case 'best_pattern':
      return {
        question: { kind, ad_account_id: account, text: `Which creative pattern lifts CTR most for ${account}?` },
        clip,
      };
    case 'pattern_lift': {
      const pattern = pick(rng, PATTERN_KEYS);
      const scoped = rng() < 0.5;
      return {
        question: {
          kind,
          pattern,
          ...(scoped ? { ad_account_id: account } : {}),
          text: `How much does a ${words(pattern)} lift CTR${scoped ? ` for ${account}` : ''}?`,
        },
        clip,
      };
    }
    case 'combination': {
      const first = pick(rng, PATTERN_KEYS);
      const second = pick(
        rng,
        PATTERN_KEYS.filter((p) => p !== first),
      );
      return {
        question: {
          kind,
          patterns: [first, second],
          text: `Do ${words(first)} and ${words(second)} together beat the average winner?`,
        },
        clip,
      };
    }
    case 'edit_plan':
      return {
        question: {
          kind,
          ad_account_id: account,
          text: `What edits would make a new ${account} video more like its winners?`,
        },
        clip,
      };
  }
}
