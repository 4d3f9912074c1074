import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  dispatchTarget,
  encodePathSegment,
  pathAndQuery,
  type Query,
} from '../../src/internal/http/url.js';

describe('encodePathSegment', () => {
  // RFC 3986 §3.3: a segment is `*pchar`, pchar = unreserved / pct-encoded / sub-delims / ':' / '@'.
  // '/', '?', '#' and '%' would end the segment, start a query or fragment, or start an escape;
  // a space is not allowed anywhere. Colons are pchar, and the official SDK sends them raw.
  it.each([
    [
      'ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd',
      'ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd',
    ],
    ['ft:a:b:ckpt-step-1', 'ft:a:b:ckpt-step-1'],
    ['a/b', 'a%2Fb'],
    ['a?b', 'a%3Fb'],
    ['a#b', 'a%23b'],
    ['100%', '100%25'],
    ['%3A', '%253A'],
    ['a b', 'a%20b'],
    ['ft:a b/c', 'ft:a%20b%2Fc'],
    ['é', '%C3%A9'],
    ['模型', '%E6%A8%A1%E5%9E%8B'],
    ['😀', '%F0%9F%98%80'],
  ])('%j -> %j', (segment, expected) => {
    expect(encodePathSegment(segment)).toBe(expected);
  });

  it.each(['a/b?c#d e%f:g', 'ft:x:y/../z', '%2F', 'ü:ß', 'a+b&c=d'])(
    'a URL parser reads %j back as one segment',
    (segment) => {
      const url = new URL(`https://h.test/v1/${encodePathSegment(segment)}/permissions`);
      const segments = url.pathname.split('/');
      expect(segments).toHaveLength(4);
      expect(decodeURIComponent(segments[2] ?? '')).toBe(segment);
      expect(url.search).toBe('');
      expect(url.hash).toBe('');
    },
  );
});

/** Any UTF-16 text, lone surrogates included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.nat(0xffff).map((code) => String.fromCharCode(code)) }),
);

/** The URL a request goes to, put together as `sendRequest$` does: origin, base path, path, query. */
function requestURL(baseURL: string, path: string, query?: Query): string {
  const { origin, basePath } = dispatchTarget(baseURL);
  return `${origin}${basePath}${pathAndQuery(path, query)}`;
}

describe('the request URL (dispatchTarget + pathAndQuery)', () => {
  it.each([
    [
      'https://api.openai.com/v1',
      '/fine_tuning/jobs',
      'https://api.openai.com/v1/fine_tuning/jobs',
    ],
    [
      'https://api.openai.com/v1/',
      '/fine_tuning/jobs',
      'https://api.openai.com/v1/fine_tuning/jobs',
    ],
    ['https://api.openai.com/v1', 'fine_tuning/jobs', 'https://api.openai.com/v1/fine_tuning/jobs'],
    [
      'https://api.openai.com/v1/',
      'fine_tuning/jobs',
      'https://api.openai.com/v1/fine_tuning/jobs',
    ],
    ['http://127.0.0.1:8080', '/fine_tuning/jobs', 'http://127.0.0.1:8080/fine_tuning/jobs'],
  ])('joins %j and %j', (base, path, expected) => {
    expect(requestURL(base, path)).toBe(expected);
  });

  it('adds no "?" without a query, nor when every value is undefined', () => {
    expect(requestURL('https://h.test/v1', '/x', {})).toBe('https://h.test/v1/x');
    expect(requestURL('https://h.test/v1', '/x', { after: undefined, limit: undefined })).toBe(
      'https://h.test/v1/x',
    );
  });

  it('drops undefined values and keeps the others in order, numbers as decimals', () => {
    expect(
      requestURL('https://h.test/v1/', '/x', { after: undefined, limit: 5, order: 'ascending' }),
    ).toBe('https://h.test/v1/x?limit=5&order=ascending');
  });

  it('keeps empty strings and zero, which are values', () => {
    const url = new URL(requestURL('https://h.test/v1', '/x', { a: '', b: 0 }));
    expect(url.searchParams.get('a')).toBe('');
    expect(url.searchParams.get('b')).toBe('0');
  });

  // Whatever the escaping, a server's query parser must read back exactly the value sent.
  it.each(['cp_abc', 'a b', 'a+b', 'a&b=c', 'a#b', 'a?b', 'a/b', '100%', 'proj_é😀', 'ft:x:y'])(
    'encodes the query value %j so that it round-trips',
    (value) => {
      const url = new URL(requestURL('https://h.test/v1', '/x', { after: value, limit: 2 }));
      expect(url.searchParams.get('after')).toBe(value);
      expect(url.searchParams.get('limit')).toBe('2');
      expect([...url.searchParams.keys()]).toEqual(['after', 'limit']);
      expect(url.hash).toBe('');
    },
  );

  it('writes the query exactly as URLSearchParams would, for any names and values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyText, anyText), { maxLength: 4 }), (pairs) => {
        const query = Object.fromEntries(pairs);
        const expected = new URLSearchParams(Object.entries(query)).toString();
        expect(pathAndQuery('/x', query)).toBe(expected ? `/x?${expected}` : '/x');
      }),
    );
  });
});

describe('pathAndQuery', () => {
  it.each([
    ['/fine_tuning/jobs', '/fine_tuning/jobs'],
    ['fine_tuning/jobs', '/fine_tuning/jobs'],
    ['/a b/é', '/a%20b/%C3%A9'],
    ['/ft:a%20b', '/ft:a%20b'],
  ])('writes the path %j as %j, percent-encoding what a URL parser would', (path, expected) => {
    expect(pathAndQuery(path)).toBe(expected);
  });

  it('takes only the query object’s own values', () => {
    const inherited = Object.create({ limit: 5 }) as Record<string, number>;
    inherited.order = 1;
    expect(pathAndQuery('/x', inherited)).toBe('/x?order=1');
  });
});

describe('pathAndQuery: arrays and ranges, as openai-node writes them (qs, arrayFormat brackets)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'an array as name[]=a&name[]=b',
      { event_types: ['checkpoint.permission.created', 'project.created'] },
      'event_types%5B%5D=checkpoint.permission.created&event_types%5B%5D=project.created',
    ],
    ['an empty array: nothing', { resource_ids: [], limit: 5 }, 'limit=5'],
    [
      'a range as name[op]=value, in the object’s order',
      { effective_at: { gte: 1700000000, lt: 1800000000 } },
      'effective_at%5Bgte%5D=1700000000&effective_at%5Blt%5D=1800000000',
    ],
    [
      'undefined bounds left out',
      { effective_at: { gt: undefined, lte: 5 } },
      'effective_at%5Blte%5D=5',
    ],
    [
      'a boolean as true/false',
      { include_archived: true, x: false },
      'include_archived=true&x=false',
    ],
    [
      'values encoded inside arrays',
      { actor_emails: ['a+b@x.test', 'c d@x.test'] },
      'actor_emails%5B%5D=a%2Bb%40x.test&actor_emails%5B%5D=c+d%40x.test',
    ],
  ])('%s', (_name, query, expected) => {
    expect(pathAndQuery('/organization/audit_logs', query as Query)).toBe(
      `/organization/audit_logs?${expected}`,
    );
  });

  it('writes what openai-node writes for the same audit-log query', async () => {
    const { default: OpenAI } = await import('openai');
    // The SDK's own query writer (protected on its client), used for every list call.
    const sdk = new OpenAI({ apiKey: 'unused' }) as unknown as {
      stringifyQuery: (q: object) => string;
    };
    const stringifyQuery = (q: object): string => sdk.stringifyQuery(q);
    const query = {
      event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'],
      effective_at: { gte: 1700000000, lte: 1800000000 },
      project_ids: ['proj_a'],
      actor_emails: ['ops@acme.test'],
      limit: 100,
      after: 'audit_log-abc',
    };
    expect(pathAndQuery('/x', query)).toBe(`/x?${stringifyQuery(query)}`);
  });
});

describe('dispatchTarget', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com', '/v1'],
    ['https://api.openai.com/v1/', 'https://api.openai.com', '/v1'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080', ''],
    ['HTTP://Example.COM:80/a/b', 'http://example.com', '/a/b'],
  ])('splits %j into origin %j and path %j', (base, origin, basePath) => {
    expect(dispatchTarget(base)).toEqual({ origin, basePath });
  });
});
