import { describe, expect, it } from 'vitest';
import {
  redactHeaders,
  redactJSON,
  redactText,
  redactURL,
  secretsOf,
} from '../../src/internal/http/redact.js';

const SECRET = 'sk-admin-0123456789abcdef';

describe('redactHeaders', () => {
  // Field names are case-insensitive (RFC 9110 §5.1): every spelling of a secret header is hidden.
  it.each([
    'Authorization',
    'authorization',
    'AUTHORIZATION',
    'aUtHoRiZaTiOn',
    'Proxy-Authorization',
    'proxy-authorization',
    'api-key',
    'Api-Key',
    'OpenAI-Admin-Key',
  ])('hides the value of %j', (name) => {
    const safe = redactHeaders({ [name]: `Bearer ${SECRET}`, 'OpenAI-Project': 'proj_1' });
    expect(safe).toEqual({ [name]: '[redacted]', 'OpenAI-Project': 'proj_1' });
    expect(JSON.stringify(safe)).not.toContain(SECRET);
  });

  it.each([
    ['OpenAI-Project', 'proj_1'],
    ['OpenAI-Organization', 'org_1'],
    ['User-Agent', 'rx-checkpoint-permissions/0.1.0'],
    ['accept', 'application/json'],
    ['x-authorization-hint', 'not a secret header'],
  ])('keeps %j as it is', (name, value) => {
    expect(redactHeaders({ [name]: value })).toEqual({ [name]: value });
  });

  it('returns a copy and leaves its argument alone', () => {
    const headers = { authorization: `Bearer ${SECRET}`, accept: 'application/json' };
    const safe = redactHeaders(headers);
    expect(safe).not.toBe(headers);
    expect(headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('keeps every name, in order', () => {
    expect(Object.keys(redactHeaders({ b: '1', Authorization: 'x', a: '2' }))).toEqual([
      'b',
      'Authorization',
      'a',
    ]);
  });
});

describe('redactHeaders with the secrets of a client', () => {
  it('also hides a secret echoed in any other header', () => {
    const safe = redactHeaders({ 'x-echo': `you sent Bearer ${SECRET}` }, [SECRET]);
    expect(safe).toEqual({ 'x-echo': 'you sent Bearer [redacted]' });
  });
});

describe('redactText', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redactText(`a ${SECRET} b ${SECRET} c pa55word`, [SECRET, 'pa55word'])).toBe(
      'a [redacted] b [redacted] c [redacted]',
    );
  });

  it('leaves text without secrets as it is, and ignores secrets too short to be told apart', () => {
    expect(redactText('nothing here', [SECRET])).toBe('nothing here');
    expect(redactText('a b c', ['a', ''])).toBe('a b c');
  });
});

describe('redactJSON', () => {
  it('hides secrets in every string of a decoded body, keys included, without touching the rest', () => {
    const body = { message: `bad ${SECRET}`, param: null, n: 1, nested: [{ [SECRET]: SECRET }] };
    expect(redactJSON(body, [SECRET])).toEqual({
      message: 'bad [redacted]',
      param: null,
      n: 1,
      nested: [{ '[redacted]': '[redacted]' }],
    });
    expect(body.message).toBe(`bad ${SECRET}`);
  });
});

describe('redactURL', () => {
  it.each([
    ['http://user:PASS@host:8080/v1', 'http://***@host:8080/v1'],
    ['https://PASS@api.example.com/v1', 'https://***@api.example.com/v1'],
    ['http://u:p%40ss@127.0.0.1/v1/x?y=@z', 'http://***@127.0.0.1/v1/x?y=@z'],
    ['https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['http://host/path@not-userinfo', 'http://host/path@not-userinfo'],
  ])('shows %j as %j', (url, shown) => {
    expect(redactURL(url)).toBe(shown);
  });
});

describe('secretsOf', () => {
  it('lists the key, the password of the base URL (as written and decoded) and secret header values', () => {
    const secrets = secretsOf({
      keys: [SECRET],
      baseURL: 'http://me:p%40ssw0rd-long@host/v1',
      headers: { 'api-key': 'azure-key-0123456789', 'openai-project': 'proj_1' },
    });
    expect(secrets).toEqual(
      expect.arrayContaining([SECRET, 'p%40ssw0rd-long', 'p@ssw0rd-long', 'azure-key-0123456789']),
    );
    expect(secrets).not.toContain('proj_1');
    expect(secrets).not.toContain('me');
  });
});
