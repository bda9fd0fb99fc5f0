import { checkThresholds, parseThreshold } from '../../src/result/thresholds';
import type { StandardResult } from '../../src/result/schema';

const result = {
  success_rate: 96.5,
  p95_duration_ms: 1200,
  step_analysis: { video_rendering: { p95_duration_ms: 800, retries: 3 } },
} as unknown as StandardResult;

test.each([
  ['success_rate>=95', true],
  ['success_rate>=97', false],
  ['p95_duration_ms<1500', true],
  ['p95_duration_ms < 1000', false],
  ['video_rendering.p95_duration_ms<=800', true],
  ['video_rendering.retries==0', false],
])('%s → %s', (text, passed) => {
  expect(checkThresholds(result, [parseThreshold(text)])[0].passed).toBe(passed);
});

test('a threshold on a step the run never reached fails rather than passing silently', () => {
  const [check] = checkThresholds(result, [parseThreshold('meta_queue.retries<=1')]);
  expect(check).toMatchObject({ passed: false, actual: undefined });
});

test.each([
  ['success_rate=>95', /write METRIC OP NUMBER/],
  ['speed>1', /unknown metric 'speed'; valid are success_rate/],
  ['video_rendering.color<1', /unknown metric 'video_rendering.color'/],
  ['success_rate>=abc', /write METRIC OP NUMBER/],
])('%s is refused with a message naming the problem', (text, message) => {
  expect(() => parseThreshold(text)).toThrow(message);
});
