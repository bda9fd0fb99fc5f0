import { classify } from '../../src/activities/http';

const oauth = (code: number, subcode?: number) =>
  JSON.stringify({
    error: { message: 'limit', type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'x' },
  });
const buc = (minutes: number) =>
  JSON.stringify({ '500001': [{ type: 'ads_management', estimated_time_to_regain_access: minutes }] });

test("Meta's over-limit answers are retryable rate limits, delayed by Meta's advice in platform time", () => {
  const f = classify('meta-publisher', 400, oauth(17, 2446079), { 'x-business-use-case-usage': buc(5) }, 0.01);
  expect(f).toMatchObject({ type: 'RateLimited', nonRetryable: false, retryAfterMs: 5 * 60_000 * 0.01 });
  for (const code of [4, 32, 613, 80004]) {
    expect(classify('meta-publisher', 400, oauth(code), {}, 1)).toMatchObject({
      type: 'RateLimited',
      nonRetryable: false,
    });
  }
  // X-Ad-Account-Usage gives seconds.
  const account = classify('meta-publisher', 400, oauth(17), { 'x-ad-account-usage': '{"reset_time_duration":30}' }, 1);
  expect(account.retryAfterMs).toBe(30_000);
  // No advice: the retry policy's own backoff.
  expect(classify('meta-publisher', 400, oauth(613), {}, 1).retryAfterMs).toBeUndefined();
});

test('other 400s stay non-retryable bad input; 429 keeps its retry-after; 5xx retries', () => {
  expect(classify('meta-publisher', 400, oauth(100), {}, 1)).toMatchObject({
    type: 'InvalidInput',
    nonRetryable: true,
  });
  expect(classify('ml-service', 400, '{"message":"body: x: required"}', {}, 1)).toMatchObject({
    type: 'InvalidInput',
    nonRetryable: true,
    message: 'ml-service answered 400: body: x: required',
  });
  expect(classify('gateway', 429, '', { 'retry-after': '2' }, 0.01)).toMatchObject({
    type: 'RateLimited',
    retryAfterMs: 2000,
  });
  expect(classify('gateway', 503, 'down', {}, 1)).toMatchObject({ type: 'ServiceUnavailable', nonRetryable: false });
});
