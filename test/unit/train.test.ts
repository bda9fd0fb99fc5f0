import { creativeBatch, TRUE_CTR_MODEL } from '../../src/market/creatives';
import { binomial } from '../../src/market/market';
import { INITIAL_MODEL, predictCtr } from '../../src/services/ml-service/ctr-model';
import { trainCtrModel, type TrainingRow } from '../../src/services/ml-service/train';
import { seededRng } from '../../src/stats/random';

const mae = (model: typeof INITIAL_MODEL, cycle: number) => {
  const batch = creativeBatch(1, cycle);
  return batch.reduce((s, c) => s + Math.abs(predictCtr(model, c.features) - c.ctr), 0) / batch.length;
};

test('retraining on simulated actuals moves the model toward the truth and cuts its error on new creatives', () => {
  const rng = seededRng(2);
  const rows: TrainingRow[] = [];
  for (let cycle = 0; cycle < 10; cycle++) {
    for (const c of creativeBatch(1, cycle)) {
      rows.push({ features: c.features, impressions: 20_000, clicks: binomial(rng, 20_000, c.ctr) });
    }
  }
  const trained = trainCtrModel(INITIAL_MODEL, rows, 'ctr-test');
  expect(trained.version).toBe('ctr-test');
  expect(mae(trained, 99)).toBeLessThan(0.4 * mae(INITIAL_MODEL, 99));
  expect(trained.weights.has_hook).toBeCloseTo(TRUE_CTR_MODEL.weights.has_hook, 0);
  expect(Math.sign(trained.weights.faces)).toBe(-1);
});

test('with no rows the model stays where it was', () => {
  const same = trainCtrModel(INITIAL_MODEL, [], 'ctr-same');
  expect(same.intercept).toBeCloseTo(INITIAL_MODEL.intercept, 9);
  expect(same.weights).toEqual(INITIAL_MODEL.weights);
});
