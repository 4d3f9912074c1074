import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/create-client.js';
import type { ClientOptions } from '../src/client/client-options.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  CheckpointPermissionsError,
  ClientClosedError,
  ConfigError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ProtocolError,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/errors.js';
import { redactHeaders } from '../src/internal/http/redact.js';
import type { RequestSpec } from '../src/internal/http/send-request.js';
import { parsePermissionPage } from '../src/resources/permission.js';
import { ManualScheduler } from './support/manual-scheduler.js';
import { json, startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

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

  it('the message is the status and the server’s words; the request is a field, not text', () => {
    const request = {
      method: 'GET',
      url: 'https://api.openai.com/v1/fine_tuning/jobs',
      headers: {},
    };
    const error = APIError.fromResponse(404, { error: { message: 'not found' }, request });
    expect(error.message).toBe('404 not found');
    expect(error.request).toEqual(request);
  });

  it('a message never ends in a period, so that whoever shows it adds exactly one', () => {
    const error = APIError.fromResponse(404, {
      error: { message: 'The model `ft:x` does not exist.' },
    });
    expect(error.message).toBe('404 The model `ft:x` does not exist');
    // The server's own words are kept as they came.
    expect(error.error?.message).toBe('The model `ft:x` does not exist.');
    expect(new ConfigError('limit', 'limit is wrong.').message).toBe('limit is wrong');
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
    ['ClientClosedError', new ClientClosedError(), 'ClientClosedError', []],
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
      truncated: false,
    });
  });

  it('ProtocolError and APIError share requestID and request through the base class', () => {
    const request = { method: 'GET', url: 'https://api.openai.com/v1/x', headers: {} };
    const errors: CheckpointPermissionsError[] = [
      new ProtocolError('bad', { requestID: 'req_1', request }),
      APIError.fromResponse(500, { headers: { 'x-request-id': 'req_1' }, request }),
    ];
    for (const error of errors) {
      expect(error.requestID).toBe('req_1');
      expect(error.request).toEqual(request);
      expect(error.toJSON()).toMatchObject({ requestID: 'req_1', request });
    }
    const config = new ConfigError('limit', 'bad');
    expect(config.request).toBeUndefined();
    expect(config.requestID).toBeUndefined();
  });

  it('ClientClosedError is its own kind, not a ConfigError, and says what to do', () => {
    const error = new ClientClosedError();
    expect(error).not.toBeInstanceOf(ConfigError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(error.message).toMatch(/closed.*createClient\(\)/);
    expect(error.toJSON()).toEqual({ name: 'ClientClosedError', message: error.message });
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

describe('every kind of failure, over loopback', () => {
  const PASSWORD = 'hunter2-userinfo-password';
  const PATH = '/fine_tuning/things';
  let server: ScriptedServer;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** A port nothing listens on: the server of it was closed. */
  let refusedURL: string;

  beforeAll(async () => {
    server = await startScriptedServer((req, res) => handle(req, res));
    const gone = await startScriptedServer(() => undefined);
    refusedURL = gone.url;
    await gone.close();
  });
  afterAll(() => server.close());

  /** The base URL with userinfo, as a user may write it; errors must show it hidden. */
  const withUserinfo = (url: string): string => url.replace('http://', `http://me:${PASSWORD}@`);
  const shownURL = (url: string): string => `${url.replace('http://', 'http://***@')}${PATH}`;

  interface Case {
    readonly name: string;
    readonly Class: abstract new (...args: never[]) => CheckpointPermissionsError;
    readonly respond?: (req: IncomingMessage, res: ServerResponse) => void;
    readonly refused?: boolean;
    readonly parse?: RequestSpec<unknown>['parse'];
    readonly client?: Partial<ClientOptions>;
    /** Moves virtual time, or aborts, once the request has reached the server. */
    readonly then?: (scheduler: ManualScheduler, controller: AbortController) => void;
  }

  const never = (): void => undefined;
  const statuses: Case[] = (
    [
      [400, BadRequestError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [409, ConflictError],
      [422, UnprocessableEntityError],
      [429, RateLimitError],
      [500, InternalServerError],
      [418, APIError],
    ] as const
  ).map(([status, Class]) => ({
    name: `${status} echoing the key`,
    Class,
    respond: (req, res) =>
      json(
        res,
        status,
        { error: { message: `Refused ${req.headers.authorization ?? ''}.`, type: 'x' } },
        { 'x-request-id': 'req_kind' },
      ),
  }));
  const cases: Case[] = [
    ...statuses,
    {
      name: '502 with an HTML page',
      Class: InternalServerError,
      respond: (_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req_kind' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      },
    },
    { name: 'a refused connection', Class: APIConnectionError, refused: true },
    {
      name: 'a body cut off by the connection',
      Class: APIConnectionError,
      respond: (_req, res) => {
        res.writeHead(200, { 'content-length': '500', 'x-request-id': 'req_kind' });
        res.write('{"object":"list","data":[');
        setImmediate(() => res.socket?.destroy());
      },
    },
    {
      name: 'an attempt past its timeout',
      Class: APIConnectionTimeoutError,
      respond: never,
      client: { timeout: 1000 },
      then: (scheduler) => scheduler.advance(1000),
    },
    {
      name: 'a request past its total deadline',
      Class: APIConnectionTimeoutError,
      respond: never,
      client: { timeout: 5000, deadline: 1000 },
      then: (scheduler) => scheduler.advance(1000),
    },
    {
      name: 'an abort by the caller',
      Class: APIUserAbortError,
      respond: never,
      then: (_scheduler, controller) => controller.abort(),
    },
    {
      name: 'a 2xx body that is not JSON',
      Class: ProtocolError,
      respond: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'x-request-id': 'req_kind' });
        res.end(`<html>${PASSWORD}</html>`);
      },
    },
    {
      name: 'a 2xx body whose JSON stops half-way',
      Class: ProtocolError,
      respond: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_kind' });
        res.end('{"object":"list","data":[{"id":"cp_1"');
      },
    },
    {
      name: 'a page that breaks the schema',
      Class: ProtocolError,
      parse: parsePermissionPage,
      respond: (_req, res) =>
        json(res, 200, { object: 'list', data: 'nope' }, { 'x-request-id': 'req_kind' }),
    },
    {
      name: 'a body over maxResponseBytes',
      Class: ProtocolError,
      client: { maxResponseBytes: 1024 },
      respond: (_req, res) =>
        json(res, 200, { object: 'list', data: 'x'.repeat(4096) }, { 'x-request-id': 'req_kind' }),
    },
  ];

  async function failureOf(c: Case): Promise<CheckpointPermissionsError> {
    handle = c.respond ?? never;
    const scheduler = new ManualScheduler();
    const controller = new AbortController();
    const client = createClient({
      adminAPIKey: KEY,
      baseURL: withUserinfo(c.refused ? refusedURL : server.url),
      maxRetries: 0,
      scheduler,
      ...c.client,
    });
    const arrived = server.requests.length;
    const failure = client
      .request(
        { method: 'GET', path: PATH, parse: c.parse ?? ((body) => body) },
        {
          signal: controller.signal,
        },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (c.then) {
      while (server.requests.length === arrived) await new Promise((r) => setImmediate(r));
      c.then(scheduler, controller);
    }
    const error = await failure;
    await client.close();
    expect(error).toBeInstanceOf(c.Class);
    return error as CheckpointPermissionsError;
  }

  it.each(cases)('$name: the request is a field, not text in the message', async (c) => {
    const error = await failureOf(c);
    expect(error.request).toMatchObject({
      method: 'GET',
      url: shownURL(c.refused ? refusedURL : server.url),
    });
    expect(error.request?.headers.authorization ?? '[redacted]').toBe('[redacted]');
    expect(error.message).not.toMatch(/\((GET|POST|DELETE) /);
    expect(error.message).not.toContain(PATH);
    expect(error.message).not.toMatch(/\.$/);
    if (c.respond && c.respond !== never) expect(error.requestID).toBe('req_kind');
    expect(error.toJSON()).toMatchObject({ request: { method: 'GET' } });
  });

  it.each(cases)('$name: no secret anywhere', async (c) => {
    const error = await failureOf(c);
    for (const rendering of [
      String(error),
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      error.stack ?? '',
    ]) {
      expect(rendering).not.toContain(KEY);
      expect(rendering).not.toContain(PASSWORD);
    }
  });

  it('an abort of request$ while the request waits for a retry names the request too', async () => {
    handle = (_req, res) => json(res, 500, { error: { message: 'down' } });
    const scheduler = new ManualScheduler();
    const controller = new AbortController();
    const client = createClient({
      adminAPIKey: KEY,
      baseURL: server.url,
      maxRetries: 3,
      scheduler,
    });
    const arrived = server.requests.length;
    const failure = firstValueFrom(
      client.request$(
        { method: 'GET', path: PATH, parse: (b) => b },
        { signal: controller.signal },
      ),
    ).then(
      () => undefined,
      (e: unknown) => e as APIUserAbortError,
    );
    while (server.requests.length === arrived || scheduler.pending === 0)
      await new Promise((r) => setImmediate(r));
    controller.abort();
    const error = await failure;
    await client.close();
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error?.request).toMatchObject({ method: 'GET', url: `${server.url}${PATH}` });
    expect(error?.message).not.toContain(PATH);
  });

  it('a request on a closed client fails with ClientClosedError, before anything is sent', async () => {
    handle = (_req, res) => json(res, 200, {});
    const client = createClient({ adminAPIKey: KEY, baseURL: server.url, maxRetries: 0 });
    await client.close();
    const arrived = server.requests.length;
    const error = await client
      .request({ method: 'GET', path: PATH, parse: (b) => b })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect(server.requests).toHaveLength(arrived);
  });
});
