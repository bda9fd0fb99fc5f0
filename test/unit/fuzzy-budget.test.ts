import { fuzzyBudget } from '../../src/services/meta-publisher/executor';
import { seededRng } from '../../src/stats/random';

test('fuzzed budgets stay within the velocity range and are never a whole or half unit', () => {
  const rng = seededRng(5);
  for (let i = 0; i < 20_000; i++) {
    const current = 20 + Math.floor(rng() * 2000) / 4; // many round budgets and round bounds among them
    const [low, high] = [current / 1.2, current * 1.2];
    const requested = current * (0.5 + rng());
    const b = fuzzyBudget(requested, low, high, rng);
    expect(b).toBeGreaterThanOrEqual(low - 1e-9); // cents vs binary floats
    expect(b).toBeLessThanOrEqual(high + 1e-9);
    if (Math.round(b * 100) % 50 === 0) throw new Error(`round budget ${b} for ${requested} in [${low}, ${high}]`);
  }
});

test('a bound that is itself round is moved off, inward', () => {
  // high = 120.00 exactly: a request above it is clipped there, then fuzzed below it.
  const b = fuzzyBudget(150, 100 / 1.2, 120, () => 0.5);
  expect(b).toBeLessThan(120);
  expect(b).toBeGreaterThan(119.6);
});
