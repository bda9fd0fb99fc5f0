import { decide, DEFAULT_GATE, velocityRange, type GateInput } from '../../src/services/ml-service/decision-gate';

const confident: GateInput = {
  impressions: 50_000,
  spend: 400,
  probabilityBest: 0.9,
  currentBudget: 100,
  proposedBudget: 110,
  budgetsInWindow: [],
};

test('too few impressions or too little spend: hold, in the ignorance zone', () => {
  expect(decide({ ...confident, impressions: 500 })).toMatchObject({ decision: 'hold', budget: 100 });
  expect(decide({ ...confident, impressions: 500 }).reason).toMatch(/^ignorance zone: 500 impressions/);
  expect(decide({ ...confident, spend: 5 }).reason).toMatch(/^ignorance zone: spend 5/);
});

test('a leader without enough probability of being best: hold for low confidence', () => {
  const d = decide({ ...confident, probabilityBest: 0.4 });
  expect(d).toMatchObject({ decision: 'hold', budget: 100 });
  expect(d.reason).toMatch(/^low confidence: P\(best\) 0.40 < 0.6/);
});

test('a change within 20% is approved as proposed', () => {
  expect(decide(confident)).toMatchObject({ decision: 'approve', budget: 110 });
});

test('a larger change is clipped to 20%, up or down', () => {
  expect(decide({ ...confident, proposedBudget: 200 })).toMatchObject({ decision: 'clip', budget: 120 });
  const down = decide({ ...confident, proposedBudget: 10 });
  expect(down.decision).toBe('clip');
  expect(down.budget).toBeCloseTo(83.34, 2);
  expect(100 / down.budget).toBeLessThanOrEqual(1.2);
});

test('moves within the 6-hour window add up: a budget already up 20% cannot go higher', () => {
  const input = { ...confident, currentBudget: 120, proposedBudget: 130, budgetsInWindow: [100, 110, 120] };
  const d = decide(input);
  expect(d).toMatchObject({ decision: 'hold', budget: 120 });
  expect(d.reason).toMatch(/^velocity/);
  // ...but it may come back down, as long as every budget in the window stays within 20% of the others.
  expect(decide({ ...input, proposedBudget: 101 })).toMatchObject({ decision: 'approve', budget: 101 });
});

test('the velocity range keeps max/min within the limit for every budget in the window', () => {
  const { low, high } = velocityRange([100, 90, 105], DEFAULT_GATE.maxMove);
  expect(high).toBeCloseTo(108, 6);
  expect(low).toBeCloseTo(87.5, 6);
  for (const candidate of [low, high]) {
    const all = [100, 90, 105, candidate];
    expect(Math.max(...all) / Math.min(...all)).toBeLessThanOrEqual(1.2 + 1e-9);
  }
});
