/** The rules that stand between a proposed budget change and the SafeExecutor queue. */
export interface GateRules {
  /** Ignorance zone: below these, the data says too little to act on. */
  minImpressions: number;
  minSpend: number;
  /** The leading ad's probability of being best must reach this. */
  minConfidence: number;
  /** No ad set budget moves more than this fraction within `windowHours` of platform time. */
  maxMove: number;
  windowHours: number;
}

export const DEFAULT_GATE: GateRules = {
  minImpressions: 2000,
  minSpend: 20,
  minConfidence: 0.6,
  maxMove: 0.2,
  windowHours: 6,
};

export interface GateInput {
  impressions: number;
  spend: number;
  probabilityBest: number;
  currentBudget: number;
  proposedBudget: number;
  /** Budgets the ad set had within the window (each from an executed change), current one included or not. */
  budgetsInWindow: number[];
}

export interface GateDecision {
  decision: 'approve' | 'clip' | 'hold';
  reason: string;
  budget: number;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * The allowed range for a new budget: every budget held within the window, and the new one, must stay
 * within `maxMove` of each other (max / min ≤ 1 + maxMove).
 */
export function velocityRange(budgets: number[], maxMove: number): { low: number; high: number } {
  const low = Math.max(...budgets) / (1 + maxMove);
  const high = Math.min(...budgets) * (1 + maxMove);
  return { low, high };
}

/** Ignorance zone, then confidence, then velocity: the first rule that objects decides, with its reason. */
export function decide(input: GateInput, rules: GateRules = DEFAULT_GATE): GateDecision {
  const hold = (reason: string): GateDecision => ({ decision: 'hold', reason, budget: input.currentBudget });
  if (input.impressions < rules.minImpressions) {
    return hold(`ignorance zone: ${Math.round(input.impressions)} impressions < ${rules.minImpressions}`);
  }
  if (input.spend < rules.minSpend) return hold(`ignorance zone: spend ${cents(input.spend)} < ${rules.minSpend}`);
  if (input.probabilityBest < rules.minConfidence) {
    return hold(`low confidence: P(best) ${input.probabilityBest.toFixed(2)} < ${rules.minConfidence}`);
  }
  if (cents(input.proposedBudget) === cents(input.currentBudget)) return hold('no change proposed');
  const { low, high } = velocityRange([...input.budgetsInWindow, input.currentBudget], rules.maxMove);
  // Rounding to cents must not step outside the range.
  const clipped = Math.min(Math.floor(high * 100) / 100, Math.max(Math.ceil(low * 100) / 100, input.proposedBudget));
  if (cents(clipped) === cents(input.currentBudget)) {
    return hold(`velocity: the budget already moved ${Math.round(rules.maxMove * 100)}% within ${rules.windowHours} h`);
  }
  if (cents(clipped) !== cents(input.proposedBudget)) {
    return {
      decision: 'clip',
      reason: `velocity: ${cents(input.proposedBudget)} clipped to ${cents(clipped)} (max ${Math.round(rules.maxMove * 100)}% within ${rules.windowHours} h)`,
      budget: cents(clipped),
    };
  }
  return {
    decision: 'approve',
    reason: `P(best) ${input.probabilityBest.toFixed(2)}, within velocity`,
    budget: cents(clipped),
  };
}
