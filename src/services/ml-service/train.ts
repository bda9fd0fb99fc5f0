import type { CreativeFeatures, CtrModel } from './ctr-model';

/** One creative's outcome: its features and how its impressions turned into clicks. */
export interface TrainingRow {
  features: CreativeFeatures;
  impressions: number;
  clicks: number;
}

const NAMES = ['scene_count', 'has_hook', 'avg_motion', 'faces'] as const;

function vector(f: CreativeFeatures): number[] {
  return [1, Math.min(f.scene_count, 20), f.has_hook ? 1 : 0, f.avg_motion, Math.min(f.faces, 10)];
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and, with the ridge, well posed). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Binomial logistic regression by Newton's method (IRLS), started from the current model, with a small
 * ridge toward it so a thin first batch cannot throw it far. Deterministic.
 */
export function trainCtrModel(start: CtrModel, rows: TrainingRow[], version: string, ridge = 50): CtrModel {
  const prior = [start.intercept, ...NAMES.map((n) => start.weights[n])];
  let theta = [...prior];
  for (let iter = 0; iter < 25; iter++) {
    const g = new Array<number>(5).fill(0);
    const h = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
    for (const row of rows) {
      const x = vector(row.features);
      const p = 1 / (1 + Math.exp(-x.reduce((s, xi, i) => s + xi * theta[i], 0)));
      for (let i = 0; i < 5; i++) {
        g[i] += (row.clicks - row.impressions * p) * x[i];
        for (let j = 0; j < 5; j++) h[i][j] += row.impressions * p * (1 - p) * x[i] * x[j];
      }
    }
    for (let i = 0; i < 5; i++) {
      g[i] -= ridge * (theta[i] - prior[i]);
      h[i][i] += ridge;
    }
    const step = solve(h, g);
    theta = theta.map((t, i) => t + step[i]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return {
    version,
    intercept: theta[0],
    weights: Object.fromEntries(NAMES.map((n, i) => [n, theta[i + 1]])) as CtrModel['weights'],
  };
}
