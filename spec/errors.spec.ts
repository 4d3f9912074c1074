import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  CheckpointPermissionsError,
  ConfigError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ProtocolError,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/errors.js';
import { redactHeaders } from '../src/http/redact.js';

const KEY = 'sk-admin-SECRET-0123456789';

describe('APIError.fromResponse', () => {
  // The official SDK's table (openai-node src/core/error.ts, APIError.generate).
  it.each<[number, typeof APIError, string]>([
    [400, BadRequestError, 'BadRequestError'],
    [401, AuthenticationError, 'AuthenticationError'],
    [403, PermissionDeniedError, 'PermissionDeniedError'],
    [404, NotFoundError, 'NotFoundError'],
    [409, ConflictError, 'ConflictError'],
    [422, UnprocessableEntityError, 'UnprocessableEntityError'],
    [429, RateLimitError, 'RateLimitError'],
    [500, InternalServerError, 'InternalServerError'],
    [502, InternalServerError, 'InternalServerError'],
    [503, InternalServerError, 'InternalServerError'],
    [504, InternalServerError, 'InternalServerError'],
    [599, InternalServerError, 'InternalServerError'],
    [408, APIError, 'APIError'],
    [418, APIError, 'APIError'],
    [405, APIError, 'APIError'],
    [302, APIError, 'APIError'],
  ])('%i -> %o', (status, Class, name) => {
    const error = APIError.fromResponse(status, {});
    expect(error.constructor).toBe(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(CheckpointPermissionsError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
  });

  it('keeps the response fields, like the official SDK', () => {
    const headers = { 'x-request-id': 'req_abc123', 'content-type': 'application/json' };
    const error = APIError.fromResponse(400, {
      headers,
      error: {
        message: "Invalid value for 'limit'",
        type: 'invalid_request_error',
        param: 'limit',
        code: 'integer_below_min_value',
      },
    });
    expect(error.requestID).toBe('req_abc123');
    expect(error.headers).toEqual(headers);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe('limit');
    expect(error.code).toBe('integer_below_min_value');
    expect(error.error).toEqual({
      message: "Invalid value for 'limit'",
      type: 'invalid_request_error',
      param: 'limit',
      code: 'integer_below_min_value',
    });
  });

  it('has no request id, code, param or type when the response gave none', () => {
    const error = APIError.fromResponse(500, {});
    expect(error.requestID).toBeUndefined();
    expect(error.code).toBeUndefined();
    expect(error.param).toBeUndefined();
    expect(error.type).toBeUndefined();
    expect(error.headers).toEqual({});
  });

  it.each([
    [404, 'No such checkpoint: ft:x', ['404', 'No such checkpoint: ft:x']],
    [429, 'Rate limit reached for requests', ['429', 'Rate limit reached for requests']],
    [401, 'Incorrect API key provided', ['401', 'Incorrect API key provided']],
  ])('the message has the status and the error message (%i)', (status, message, parts) => {
    const error = APIError.fromResponse(status, { error: { message } });
    for (const part of parts) expect(error.message).toContain(part);
  });

  it('the message names the request', () => {
    const error = APIError.fromResponse(404, {
      error: { message: 'not found' },
      request: { method: 'GET', url: 'https://api.openai.com/v1/fine_tuning/jobs', headers: {} },
    });
    expect(error.message).toContain('GET https://api.openai.com/v1/fine_tuning/jobs');
  });

  describe('a body that is not an OpenAI error', () => {
    it.each([
      [
        'an nginx 502 page',
        '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
        '502 Bad Gateway',
      ],
      [
        'plain text',
        'upstream connect error or disconnect/reset before headers',
        'upstream connect error',
      ],
      [
        'text with surrounding blank lines',
        '\n\n  Service Unavailable  \n\n',
        'Service Unavailable',
      ],
    ])('shows a cleaned first line of it: %s', (_name, rawBody, line) => {
      const error = APIError.fromResponse(502, { rawBody });
      expect(error.message).toContain('502');
      expect(error.message).toContain(line);
      expect(error.message).not.toMatch(/[<>\r\n]/);
      expect(error.rawBody).toBe(rawBody);
    });

    it('keeps the message short for a long body', () => {
      const error = APIError.fromResponse(503, { rawBody: 'x'.repeat(10_000) });
      expect(error.message.length).toBeLessThan(300);
    });

    it.each([
      ['no body', undefined],
      ['an empty body', ''],
      ['a body of tags only', '<html><body></body></html>'],
    ])('still says something for %s', (_name, rawBody) => {
      const error = APIError.fromResponse(503, { rawBody });
      expect(error.message).toMatch(/^503 \S/);
    });
  });

  describe('toJSON', () => {
    const request = {
      method: 'GET',
      url: 'https://api.openai.com/v1/fine_tuning/checkpoints/ft:x/permissions',
      headers: redactHeaders({ Authorization: `Bearer ${KEY}`, 'OpenAI-Project': 'proj_1' }),
    };
    const error = APIError.fromResponse(429, {
      headers: { 'x-request-id': 'req_9', 'retry-after': '1' },
      error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' },
      request,
    });

    it('has the public fields', () => {
      expect(error.toJSON()).toMatchObject({
        name: 'RateLimitError',
        status: 429,
        requestID: 'req_9',
        error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' },
        request: { method: 'GET', url: request.url },
      });
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({
        name: 'RateLimitError',
        status: 429,
      });
    });

    it('holds no secret once the request headers were redacted', () => {
      expect(JSON.stringify(error)).not.toContain(KEY);
      expect(JSON.stringify(error)).toContain('[redacted]');
      expect(error.message).not.toContain(KEY);
    });
  });
});

describe('the other errors', () => {
  it.each<
    [
      string,
      CheckpointPermissionsError,
      string,
      readonly (abstract new (...args: never[]) => unknown)[],
    ]
  >([
    ['APIConnectionError', new APIConnectionError('reset'), 'APIConnectionError', [APIError]],
    [
      'APIConnectionTimeoutError',
      new APIConnectionTimeoutError('timed out'),
      'APIConnectionTimeoutError',
      [APIConnectionError, APIError],
    ],
    ['APIUserAbortError', new APIUserAbortError('aborted'), 'APIUserAbortError', [APIError]],
    ['ProtocolError', new ProtocolError('bad'), 'ProtocolError', []],
    ['ConfigError', new ConfigError('limit', 'bad'), 'ConfigError', []],
  ])('%s has its name and ancestry', (_label, error, name, ancestors) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(CheckpointPermissionsError);
    expect(error).toBeInstanceOf(Error);
    for (const Ancestor of ancestors) expect(error).toBeInstanceOf(Ancestor);
  });

  it('connection errors have no status and keep their cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new APIConnectionError('Connection error', { cause });
    expect(error.status).toBeUndefined();
    expect(error.cause).toBe(cause);
  });

  it('ProtocolError keeps its field, request id and whether the body was truncated', () => {
    const error = new ProtocolError('bad', { field: 'data[1].created_at', requestID: 'req_1' });
    expect(error.field).toBe('data[1].created_at');
    expect(error.requestID).toBe('req_1');
    expect(error.truncated).toBe(false);
    expect(new ProtocolError('cut', { truncated: true }).truncated).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ProtocolError',
      message: 'bad',
      field: 'data[1].created_at',
      requestID: 'req_1',
    });
  });

  it('ConfigError keeps the option', () => {
    const error = new ConfigError('rateLimit.maxConcurrency', 'must be a positive integer');
    expect(error.option).toBe('rateLimit.maxConcurrency');
    expect(error.toJSON()).toEqual({
      name: 'ConfigError',
      message: 'must be a positive integer',
      option: 'rateLimit.maxConcurrency',
    });
  });
});
