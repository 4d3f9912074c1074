import { describe, expect, it } from 'vitest';
import { redactHeaders } from '../../src/http/redact.js';

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
