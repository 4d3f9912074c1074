import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from '../../src/internal/http/rate-limit-headers.js';

// https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers:
//   x-ratelimit-limit-requests      60     (requests permitted before the limit is exhausted)
//   x-ratelimit-remaining-requests  59     (requests left)
//   x-ratelimit-reset-requests      1s     (time until the budget is whole again)
describe('parseRateLimitHeaders', () => {
  it('reads the documented example', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-reset-requests': '1s',
      }),
    ).toEqual({ limit: 60, remaining: 59, resetMs: 1_000 });
  });

  it.each([
    [{ 'x-ratelimit-limit-requests': '5000' }, { limit: 5_000 }],
    [{ 'x-ratelimit-remaining-requests': '0' }, { remaining: 0 }],
    [{ 'x-ratelimit-reset-requests': '6m0s' }, { resetMs: 360_000 }],
    [{ 'x-ratelimit-reset-requests': '20ms' }, { resetMs: 20 }],
    [{ 'x-ratelimit-reset-requests': '1h2m3s' }, { resetMs: 3_723_000 }],
    [{ 'x-ratelimit-reset-requests': '0s' }, { resetMs: 0 }],
    [
      { 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999' },
      { limit: 10_000, remaining: 9_999 },
    ],
    [
      { 'x-ratelimit-remaining-requests': ' 7 ', 'x-ratelimit-reset-requests': '1.5s' },
      { remaining: 7, resetMs: 1_500 },
    ],
  ])('each field present only when its header was: %j', (headers, expected) => {
    expect(parseRateLimitHeaders(headers)).toEqual(expected);
  });

  it.each([
    ['no headers at all', {}],
    ['unrelated headers', { 'retry-after': '1', 'x-request-id': 'req_1' }],
    ['only the token headers, which do not apply', { 'x-ratelimit-limit-tokens': '150000' }],
    [
      'only unreadable values',
      {
        'x-ratelimit-limit-requests': 'lots',
        'x-ratelimit-remaining-requests': '-1',
        'x-ratelimit-reset-requests': 'soon',
      },
    ],
  ])('undefined for %s', (_name, headers: Record<string, string>) => {
    expect(parseRateLimitHeaders(headers)).toBeUndefined();
  });

  it.each([
    ['a fractional count', { 'x-ratelimit-remaining-requests': '1.5' }],
    ['a negative count', { 'x-ratelimit-remaining-requests': '-3' }],
    ['a word', { 'x-ratelimit-remaining-requests': 'many' }],
    ['an empty value', { 'x-ratelimit-remaining-requests': '' }],
  ])('drops an unreadable field (%s) but keeps the readable ones', (_name, bad) => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-reset-requests': '2s',
        ...bad,
      }),
    ).toEqual({ limit: 60, resetMs: 2_000 });
  });

  it('drops a limit of 0, which cannot be a budget to pace by', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-requests': '0',
        'x-ratelimit-remaining-requests': '0',
      }),
    ).toEqual({ remaining: 0 });
  });
});
