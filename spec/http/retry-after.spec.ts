import { afterEach, describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/internal/http/retry-after.js';

// A fixed wall clock: Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110 §5.6.7.
const NOW = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('retryAfterMs', () => {
  describe('retry-after-ms (OpenAI, fractional milliseconds) wins over retry-after', () => {
    it.each([
      [{ 'retry-after-ms': '250' }, 250],
      [{ 'retry-after-ms': '0' }, 0],
      [{ 'retry-after-ms': '12.5' }, 12.5],
      [{ 'retry-after-ms': ' 40 ' }, 40],
      [{ 'retry-after-ms': '250', 'retry-after': '7' }, 250],
      [{ 'retry-after-ms': '250', 'retry-after': 'Sun, 06 Nov 1994 08:50:37 GMT' }, 250],
    ])('%j -> %d', (headers, ms) => {
      expect(retryAfterMs(headers, NOW)).toBe(ms);
    });

    // The official SDK falls back to retry-after when retry-after-ms does not parse.
    it.each([
      [{ 'retry-after-ms': 'soon', 'retry-after': '3' }, 3_000],
      [{ 'retry-after-ms': '-100', 'retry-after': '3' }, 3_000],
      [{ 'retry-after-ms': '', 'retry-after': '3' }, 3_000],
    ])('an unreadable retry-after-ms falls back: %j -> %d', (headers, ms) => {
      expect(retryAfterMs(headers, NOW)).toBe(ms);
    });
  });

  // RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds, delay-seconds = 1*DIGIT.
  describe('retry-after in seconds', () => {
    it.each([
      ['0', 0],
      ['1', 1_000],
      ['2', 2_000],
      ['120', 120_000],
      [' 5 ', 5_000],
      ['007', 7_000],
      // Not RFC syntax, but the official SDK (parseFloat) reads it, and so do we.
      ['1.5', 1_500],
    ])('%j -> %d ms', (value, ms) => {
      expect(retryAfterMs({ 'retry-after': value }, NOW)).toBe(ms);
    });
  });

  // RFC 9110 §5.6.7: recipients must accept all three date formats; every HTTP-date is UTC.
  describe('retry-after as an HTTP date, relative to now', () => {
    it.each([
      ['IMF-fixdate, 10 s ahead', 'Sun, 06 Nov 1994 08:49:47 GMT', 10_000],
      ['IMF-fixdate, 1 h ahead', 'Sun, 06 Nov 1994 09:49:37 GMT', 3_600_000],
      ['IMF-fixdate, now', 'Sun, 06 Nov 1994 08:49:37 GMT', 0],
      ['IMF-fixdate, in the past: wait 0', 'Sun, 06 Nov 1994 08:48:37 GMT', 0],
      ['IMF-fixdate, a year in the past', 'Sat, 06 Nov 1993 08:49:37 GMT', 0],
      ['obsolete RFC 850 date, 30 s ahead', 'Sunday, 06-Nov-94 08:50:07 GMT', 30_000],
      ['obsolete asctime date, 60 s ahead', 'Sun Nov  6 08:50:37 1994', 60_000],
    ])('%s', (_name, value, ms) => {
      expect(retryAfterMs({ 'retry-after': value }, NOW)).toBe(ms);
    });

    describe('in a time zone other than UTC', () => {
      const savedTZ = process.env.TZ;
      afterEach(() => {
        if (savedTZ === undefined) delete process.env.TZ;
        else process.env.TZ = savedTZ;
      });

      // asctime carries no zone but, like every HTTP-date, means UTC (RFC 9110 §5.6.7), so the
      // machine's own zone must not shift it.
      it.each([
        ['America/New_York', 'Sun Nov  6 08:50:37 1994', 60_000],
        ['Asia/Tokyo', 'Sun Nov  6 08:50:37 1994', 60_000],
        ['America/New_York', 'Sun, 06 Nov 1994 08:50:37 GMT', 60_000],
      ])('TZ=%s: %j -> %d ms', (tz, value, ms) => {
        process.env.TZ = tz;
        expect(retryAfterMs({ 'retry-after': value }, NOW)).toBe(ms);
      });
    });
  });

  describe('says nothing: undefined', () => {
    it.each([
      ['no headers', {}],
      ['other headers only', { 'x-request-id': 'req_1' }],
      ['an empty retry-after', { 'retry-after': '' }],
      ['a blank retry-after', { 'retry-after': '   ' }],
      ['a word', { 'retry-after': 'soon' }],
      ['a duration', { 'retry-after': '5s' }],
      ['a negative number of seconds', { 'retry-after': '-1' }],
      ['a negative number of seconds (2)', { 'retry-after': '-30' }],
      ['a word and a number', { 'retry-after': 'in 5' }],
      ['a dotted number', { 'retry-after': '1.5.3' }],
      ['an impossible date', { 'retry-after': 'Tue, 32 Nov 1994 08:49:37 GMT' }],
      ['a negative retry-after-ms alone', { 'retry-after-ms': '-100' }],
      ['an unreadable retry-after-ms alone', { 'retry-after-ms': 'NaN' }],
      ['both unreadable', { 'retry-after-ms': 'x', 'retry-after': 'y' }],
    ])('%s', (_name, headers: Record<string, string>) => {
      expect(retryAfterMs(headers, NOW)).toBeUndefined();
    });
  });
});
