import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { flattenHeaders } from '../../src/internal/http/headers.js';

describe('flattenHeaders', () => {
  it.each<[string, IncomingHttpHeaders, Record<string, string>]>([
    ['keeps single values', { 'x-request-id': 'req_1' }, { 'x-request-id': 'req_1' }],
    [
      // RFC 9110 §5.3: repeated fields combine into one value joined by a comma and a space.
      'joins repeated values with ", "',
      { 'set-cookie': ['a=1', 'b=2'] },
      { 'set-cookie': 'a=1, b=2' },
    ],
    ['keeps a one-element list as its element', { 'x-multi': ['v'] }, { 'x-multi': 'v' }],
    // RFC 9110 §5.1: field names are case-insensitive; the record uses lower case throughout.
    [
      'lower-cases names',
      { 'X-Request-ID': 'req_2', 'Retry-After': '3' },
      { 'x-request-id': 'req_2', 'retry-after': '3' },
    ],
    ['drops undefined values', { 'retry-after': undefined, age: '1' }, { age: '1' }],
    ['keeps empty values', { 'x-empty': '' }, { 'x-empty': '' }],
    ['handles no headers', {}, {}],
  ])('%s', (_name, headers, expected) => {
    expect(flattenHeaders(headers)).toEqual(expected);
  });

  it('returns a new record', () => {
    const headers = { a: '1' };
    expect(flattenHeaders(headers)).not.toBe(headers);
  });
});
