import { inspect } from 'node:util';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { Agent, MockAgent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { APIError } from '../../src/errors.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  ConfigError,
  InternalServerError,
  NotFoundError,
  ProtocolError,
  RateLimitError,
} from '../../src/errors.js';
import {
  sendRequest$,
  type RequestSpec,
  type Transport,
} from '../../src/internal/http/send-request.js';
import { dispatchTarget } from '../../src/internal/http/url.js';
import { parsePermissionPage } from '../../src/resources/permission.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'sk-admin-THIS-MUST-NEVER-LEAK-1234567890';

function transportFor(url: string, options: Partial<Transport> = {}): Transport {
  return {
    baseURL: url,
    ...dispatchTarget(url),
    dispatcher: agent,
    headers: { 'user-agent': 'spec' },
    authorization: () => `Bearer ${SECRET}`,
    scheduler: new ManualScheduler(),
    maxResponseBytes: 32 * 1024 * 1024,
    secrets: () => [SECRET],
    ...options,
  };
}

const anyBody: RequestSpec<unknown> = { method: 'GET', path: '/things', parse: (body) => body };
const emptyPage = { object: 'list', data: [], has_more: false, first_id: null, last_id: null };

let agent: Agent;
let server: ScriptedServer;
let handle: Parameters<typeof startScriptedServer>[0];

beforeAll(async () => {
  agent = new Agent({ keepAliveTimeout: 1000 });
  server = await startScriptedServer((req, res) => handle(req, res));
});
afterAll(async () => {
  await server.close();
  await agent.close();
});
afterEach(() => {
  server.requests.length = 0;
});

function expectNoSecret(error: unknown): void {
  for (const rendering of [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: Infinity, showHidden: true }),
  ]) {
    expect(rendering).not.toContain(SECRET);
    expect(rendering).not.toContain('THIS-MUST-NEVER-LEAK');
  }
}

describe('sendRequest$', () => {
  it('sends method, path, query, headers and a JSON body, and emits the checked response', async () => {
    handle = (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        json(res, 200, { echo: JSON.parse(body || 'null') }, { 'x-request-id': 'req_1' }),
      );
    };
    const response = await firstValueFrom(
      sendRequest$(
        transportFor(server.url + '/'),
        {
          method: 'POST',
          path: '/a/b%2Fc',
          query: { limit: 5, after: undefined, order: 'ascending' },
          body: { x: 1 },
          parse: (b) => b,
        },
        { timeout: 1000 },
      ),
    );
    expect(response).toMatchObject({ status: 200, requestID: 'req_1', data: { echo: { x: 1 } } });
    expect(response.headers['content-type']).toBe('application/json');
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/v1/a/b%2Fc?limit=5&order=ascending');
    expect(req?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req?.headers['user-agent']).toBe('spec');
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('is cold: nothing is sent before subscription, and each subscription sends its own', async () => {
    handle = (_req, res) => json(res, 200, emptyPage);
    // Count dispatches where they happen, in this process, instead of waiting to see whether the
    // server hears of one: a count taken after a sleep could only prove that nothing came *yet*.
    let dispatched = 0;
    const counting = agent.compose((dispatch) => (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    });
    const request$ = sendRequest$(transportFor(server.url, { dispatcher: counting }), anyBody, {
      timeout: 1000,
    });
    expect(dispatched).toBe(0);
    await firstValueFrom(request$);
    await firstValueFrom(request$);
    // Two subscriptions, two requests: a stream that started (and shared) one request when it was
    // built would show one here.
    expect(dispatched).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    [401, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, InternalServerError],
  ])(
    'maps a %i with an OpenAI error body to %o, keeping status, headers, requestID and error',
    async (status, Class) => {
      const error = {
        message: 'No such thing',
        type: 'invalid_request_error',
        param: 'fine_tuned_model_checkpoint',
        code: 'nope',
      };
      handle = (_req, res) => json(res, status, { error }, { 'x-request-id': 'req_err' });
      const failure = await lastValueFrom(
        sendRequest$(transportFor(server.url), anyBody, { timeout: 1000 }),
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Class);
      const apiError = failure as APIError;
      expect(apiError.status).toBe(status);
      expect(apiError.requestID).toBe('req_err');
      expect(apiError.error).toEqual(error);
      expect(apiError.code).toBe('nope');
      expect(apiError.param).toBe('fine_tuned_model_checkpoint');
      expect(apiError.message).toContain('No such thing');
      expect(apiError.request?.headers.authorization).toBe('[redacted]');
      expectNoSecret(failure);
    },
  );

  it('keeps the first KiB of a non-JSON error body, such as an HTML 502 page', async () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`;
    handle = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(html);
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 1000 }),
    ).catch((e: unknown) => e)) as InternalServerError;
    expect(failure).toBeInstanceOf(InternalServerError);
    expect(failure.status).toBe(502);
    expect(failure.error).toBeUndefined();
    expect(failure.rawBody).toBe(html.slice(0, 1024));
    expect(failure.message).toContain('502 Bad Gateway');
  });

  it('reads a large error body only so far, and leaves the connection usable', async () => {
    const single = new Agent({ connections: 1, pipelining: 1 });
    try {
      let first = true;
      handle = (_req, res) => {
        if (first) {
          first = false;
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('e'.repeat(2 * 1024 * 1024));
        } else json(res, 200, emptyPage);
      };
      const transport = transportFor(server.url, { dispatcher: single });
      await expect(
        firstValueFrom(sendRequest$(transport, anyBody, { timeout: 5000 })),
      ).rejects.toBeInstanceOf(InternalServerError);
      await expect(
        firstValueFrom(sendRequest$(transport, anyBody, { timeout: 5000 })),
      ).resolves.toMatchObject({
        status: 200,
      });
    } finally {
      await single.destroy();
    }
  });

  it('reports a refused connection as APIConnectionError with the cause kept', async () => {
    const failure = (await firstValueFrom(
      sendRequest$(transportFor('http://127.0.0.1:1/v1'), anyBody, { timeout: 1000 }),
    ).catch((e: unknown) => e)) as APIConnectionError;
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect(failure.status).toBeUndefined();
    expect(failure.cause).toBeDefined();
    expectNoSecret(failure);
  });

  it('times out on the transport scheduler with APIConnectionTimeoutError, and closes the socket', async () => {
    handle = () => {
      /* never answers */
    };
    const scheduler = new ManualScheduler();
    const aborted = server.nextAbort();
    const result = firstValueFrom(
      sendRequest$(transportFor(server.url, { scheduler }), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e);
    await waitFor(() => server.requests.length === 1, 'request 1 to reach the server');
    scheduler.advance(4999);
    scheduler.advance(1);
    const failure = await result;
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    expect((failure as Error).message).toContain('5000 ms');
    await aborted;
  });

  it('aborts on the signal with APIUserAbortError, closing the socket, and clears its timer', async () => {
    handle = () => {
      /* never answers */
    };
    const scheduler = new ManualScheduler();
    const controller = new AbortController();
    const aborted = server.nextAbort();
    const result = firstValueFrom(
      sendRequest$(transportFor(server.url, { scheduler }), anyBody, {
        timeout: 5000,
        signal: controller.signal,
      }),
    ).catch((e: unknown) => e);
    await waitFor(() => server.requests.length === 1, 'request 1 to reach the server');
    controller.abort();
    expect(await result).toBeInstanceOf(APIUserAbortError);
    await aborted;
    expect(scheduler.pending).toBe(0);
  });

  it('fails at once, sending nothing, when the signal is already aborted', async () => {
    const failure = await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, {
        timeout: 5000,
        signal: AbortSignal.abort(),
      }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });

  it('aborts the request when unsubscribed, without emitting anything', async () => {
    handle = () => {
      /* never answers */
    };
    const scheduler = new ManualScheduler();
    const aborted = server.nextAbort();
    const seen: unknown[] = [];
    const subscription = sendRequest$(transportFor(server.url, { scheduler }), anyBody, {
      timeout: 5000,
    }).subscribe({
      next: (v) => seen.push(v),
      error: (e: unknown) => seen.push(e),
      complete: () => seen.push('complete'),
    });
    await waitFor(() => server.requests.length === 1, 'request 1 to reach the server');
    subscription.unsubscribe();
    await aborted;
    expect(seen).toEqual([]);
    expect(scheduler.pending).toBe(0);
  });

  it('never sends a request unsubscribed while it waited for a connection', async () => {
    const single = new Agent({ connections: 1, pipelining: 1 });
    try {
      let release: (() => void) | undefined;
      handle = (req, res) => {
        if (req.url?.includes('slow')) release = () => json(res, 200, emptyPage);
        else json(res, 200, emptyPage);
      };
      const transport = transportFor(server.url, { dispatcher: single });
      const slow: RequestSpec<unknown> = { ...anyBody, path: '/slow' };
      const queued: RequestSpec<unknown> = { ...anyBody, path: '/queued' };
      const first = firstValueFrom(sendRequest$(transport, slow, { timeout: 5000 }));
      await waitFor(() => server.requests.length === 1, 'request 1 to reach the server');
      // The only connection is busy: this one waits in undici's queue, then leaves it.
      const seen: unknown[] = [];
      sendRequest$(transport, queued, { timeout: 5000 })
        .subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) })
        .unsubscribe();
      release?.();
      await first;
      // The connection is free again, and the next request is the first to use it after `slow`.
      await firstValueFrom(sendRequest$(transport, anyBody, { timeout: 5000 }));
      expect(server.requests.map((r) => r.url)).toEqual(['/v1/slow', '/v1/things']);
      expect(seen).toEqual([]);
    } finally {
      await single.destroy();
    }
  });

  it('skips an informational 1xx response and reads the real one after it', async () => {
    handle = (_req, res) => {
      res.writeProcessing();
      json(res, 200, emptyPage, { 'x-request-id': 'req_after_102' });
    };
    const response = await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    );
    expect(response).toMatchObject({ status: 200, requestID: 'req_after_102', data: emptyPage });
  });

  it('reports an error response cut off mid-body as the API error it began to say', async () => {
    handle = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'content-length': '5000' });
      res.write('<html>Service Unavailable');
      setImmediate(() => res.socket?.destroy());
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as InternalServerError;
    expect(failure).toBeInstanceOf(InternalServerError);
    expect(failure.status).toBe(503);
    expect(failure.rawBody).toBe('<html>Service Unavailable');
  });

  it("reports undici's own headers timeout as APIConnectionTimeoutError", async () => {
    handle = () => {
      /* never answers */
    };
    const impatient = new Agent({ headersTimeout: 10 });
    try {
      const failure = await firstValueFrom(
        sendRequest$(transportFor(server.url, { dispatcher: impatient }), anyBody, {
          timeout: 60_000,
        }),
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
      expect((failure as Error).message).toMatch(/^Request timed out: /);
      expect((failure as APIError).request).toMatchObject({ method: 'GET' });
      expect((failure as APIError).request?.url).toMatch(/\/things$/);
    } finally {
      await impatient.destroy();
    }
  });

  it('reports a header value undici refuses as a ConfigError, sending nothing', async () => {
    const transport = transportFor(server.url, { headers: { 'x-note': 'line\nbreak' } });
    const failure = await firstValueFrom(sendRequest$(transport, anyBody, { timeout: 5000 })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain('undici rejected the request');
    expect(server.requests).toHaveLength(0);
  });

  it('reports a body cut off by the connection as APIConnectionError', async () => {
    handle = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': '500',
        'x-request-id': 'req_cut',
      });
      res.write('{"object":"list","data":[');
      setImmediate(() => res.socket?.destroy());
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as APIConnectionError;
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect(failure.requestID).toBe('req_cut');
    expect(failure.message).toContain('before the response body was complete');
  });

  it('reports a complete body whose JSON stops half-way as a truncated ProtocolError', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[{"id":"cp_1"');
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as ProtocolError;
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure.truncated).toBe(true);
  });

  it('reports an empty 2xx body as a ProtocolError, not as a truncated one', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
      res.end();
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as ProtocolError;
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure.truncated).toBe(false);
    expect(failure.message).toBe('The response body is not JSON: ""');
  });

  it('reports a 2xx body that is not JSON as a ProtocolError naming the body', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as ProtocolError;
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure.truncated).toBe(false);
    expect(failure.field).toBe('body');
  });

  it('reports a page that breaks the schema as a ProtocolError naming the field', async () => {
    handle = (_req, res) =>
      json(
        res,
        200,
        {
          object: 'list',
          has_more: false,
          data: [{ object: 'checkpoint.permission', id: 'cp_1', created_at: '1', project_id: 'p' }],
        },
        { 'x-request-id': 'req_bad' },
      );
    const spec: RequestSpec<unknown> = { method: 'GET', path: '/p', parse: parsePermissionPage };
    const failure = (await firstValueFrom(
      sendRequest$(transportFor(server.url), spec, { timeout: 5000 }),
    ).catch((e: unknown) => e)) as ProtocolError;
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure.field).toBe('data[0].created_at');
    expect(failure.requestID).toBe('req_bad');
  });

  it('fails with the ConfigError of a missing key before sending anything', async () => {
    const transport = transportFor(server.url, {
      authorization: () => {
        throw new ConfigError('apiKey', 'No API key');
      },
    });
    await expect(
      firstValueFrom(sendRequest$(transport, anyBody, { timeout: 5000 })),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it('reports a dispatcher that throws instead of dispatching as APIConnectionError', async () => {
    const refusing = {
      dispatch() {
        throw new Error('this pool is closed');
      },
    } as unknown as Dispatcher;
    const failure = await firstValueFrom(
      sendRequest$(transportFor(server.url, { dispatcher: refusing }), anyBody, { timeout: 5000 }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect((failure as Error).message).toContain('this pool is closed');
    expectNoSecret(failure);
  });

  it('maps replies from an undici MockAgent the same way (transport unit)', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    const pool = mock.get('https://api.example.test');
    pool.intercept({ path: '/v1/things', method: 'GET' }).reply(
      503,
      { error: { message: 'overloaded', type: 'server_error' } },
      {
        headers: { 'x-request-id': 'req_mock', 'x-should-retry': 'true' },
      },
    );
    pool
      .intercept({ path: '/v1/things', method: 'GET' })
      .replyWithError(new Error('socket hang up'));
    try {
      const transport = transportFor('https://api.example.test/v1', { dispatcher: mock });
      const first = (await firstValueFrom(
        sendRequest$(transport, anyBody, { timeout: 5000 }),
      ).catch((e: unknown) => e)) as APIError;
      expect(first).toBeInstanceOf(InternalServerError);
      expect(first.headers['x-should-retry']).toBe('true');
      expect(first.requestID).toBe('req_mock');
      const second = await firstValueFrom(
        sendRequest$(transport, anyBody, { timeout: 5000 }),
      ).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(APIConnectionError);
      expect((second as Error).message).toContain('socket hang up');
    } finally {
      await mock.close();
    }
  });
});
