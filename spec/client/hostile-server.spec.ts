import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/client/create-client.js';
import { resolveOptions } from '../../src/client/resolve-options.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  ProtocolError,
} from '../../src/errors.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import { permissionPages } from '../../src/resources/permission-pages.js';
import { permissions$ } from '../../src/resources/permissions.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const KEY = 'sk-admin-ECHOED-BACK-0123456789abcdef';
const PASSWORD = 'pa55-w0rd-IN-THE-URL';
const anyBody: RequestSpec<unknown> = { method: 'GET', path: '/things', parse: (body) => body };

let server: ScriptedServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ScriptedServer> {
  server = await startScriptedServer(handler);
  return server;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, the request succeeded');
}

/** Every way an error is commonly shown or stored. */
function renderings(error: unknown): string[] {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: Infinity, showHidden: true }),
  ];
}

function expectAbsent(error: unknown, secret: string): void {
  for (const rendering of renderings(error)) expect(rendering).not.toContain(secret);
}

describe('a body past maxResponseBytes', () => {
  /** A 200 whose body never ends, written as fast as the client reads it. */
  function endless(sent: { bytes: number; closed: boolean }) {
    return (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      res.write('{"object":"list","data":"');
      const pump = (): void => {
        while (!res.destroyed) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => (sent.closed = true));
      pump();
    };
  }

  it('fails an endless 200 with a ProtocolError naming the cap, and closes the connection', async () => {
    const sent = { bytes: 0, closed: false };
    const scripted = await serve(endless(sent));
    const aborted = scripted.nextAbort();
    client = createClient({
      adminAPIKey: KEY,
      baseURL: scripted.url,
      maxResponseBytes: 1024 * 1024,
    });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).message).toContain('maxResponseBytes');
    expect((failure as Error).message).toContain('1048576');
    await aborted;
    expect(sent.closed).toBe(true);
    // Not drained: the server got to write little more than the cap and the socket buffers.
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
    // A body over the cap is over it again on a retry: not retried.
    expect(scripted.requests).toHaveLength(1);
  });

  it('fails at once on a content-length above the cap, before reading the body', async () => {
    const scripted = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 ** 40 });
      res.write('{');
    });
    const aborted = scripted.nextAbort();
    client = createClient({
      adminAPIKey: KEY,
      baseURL: scripted.url,
      maxResponseBytes: 1024 * 1024,
    });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).message).toContain('maxResponseBytes');
    await aborted;
  });

  it('reads an endless error body only to its cap, and closes its connection', async () => {
    const sent = { bytes: 0, closed: false };
    const scripted = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'e');
      const pump = (): void => {
        while (!res.destroyed) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => (sent.closed = true));
      pump();
    });
    const aborted = scripted.nextAbort();
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url, maxRetries: 0 });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(InternalServerError);
    await aborted;
    expect(sent.bytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('is 32 MiB by default', () => {
    expect(resolveOptions({}, {}).maxResponseBytes).toBe(32 * 1024 * 1024);
  });
});

describe('a server that drips its body', () => {
  it('is cut off by the per-attempt timeout, which covers the whole body', async () => {
    const scripted = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 5);
      res.on('close', () => clearInterval(drip));
    });
    const aborted = scripted.nextAbort();
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url, timeout: 100, maxRetries: 0 });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    expect((failure as Error).message).toContain('100 ms');
    await aborted;
  });

  it('has a per-attempt timeout of 30 s by default, sized for a page rather than a model call', () => {
    expect(resolveOptions({}, {}).timeout).toBe(30_000);
  });
});

describe("the client's key, echoed back by the server", () => {
  const echo = (req: IncomingMessage): string => String(req.headers.authorization);

  it('is not in a 400 whose message echoes the Authorization header', async () => {
    const scripted = await serve((req, res) =>
      json(res, 400, {
        error: {
          message: `Bad header: ${echo(req)}`,
          type: 'invalid_request_error',
          param: echo(req),
        },
      }),
    );
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(BadRequestError);
    expectAbsent(failure, KEY);
    expect((failure as Error).message).toContain('Bad header: Bearer [redacted]');
  });

  it('is not in a 500 whose raw body and headers echo it', async () => {
    const scripted = await serve((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-echo': echo(req) });
      res.end(`upstream said: ${echo(req)}`);
    });
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url, maxRetries: 0 });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(InternalServerError);
    expectAbsent(failure, KEY);
    expect((failure as InternalServerError).rawBody).toContain('[redacted]');
  });

  it('is not in a 500 whose JSON error body echoes it', async () => {
    const scripted = await serve((req, res) =>
      json(res, 500, { error: { message: `key ${echo(req)} failed`, code: echo(req) } }),
    );
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url, maxRetries: 0 });
    const failure = await failureOf(client.request(anyBody));
    expectAbsent(failure, KEY);
  });

  it('is not in the ProtocolError of a 200 that is not JSON but echoes it', async () => {
    const scripted = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(echo(req));
    });
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(ProtocolError);
    expectAbsent(failure, KEY);
  });

  it('is not in the retry events of a 503 that echoes it', async () => {
    const scripted = await serve((req, res) =>
      json(res, 503, { error: { message: `try again, ${echo(req)}` } }),
    );
    client = createClient({
      adminAPIKey: KEY,
      baseURL: scripted.url,
      maxRetries: 1,
      initialRetryDelay: 1,
    });
    const events: unknown[] = [];
    client.events$.subscribe((event) => events.push(event));
    await failureOf(client.request(anyBody));
    expect(events).toHaveLength(1);
    expect(inspect(events, { depth: Infinity })).not.toContain(KEY);
  });
});

describe('a base URL with userinfo', () => {
  it('never shows its password in an API error', async () => {
    const scripted = await serve((_req, res) => json(res, 500, { error: { message: 'boom' } }));
    const baseURL = scripted.url.replace('http://', `http://user:${PASSWORD}@`);
    client = createClient({ adminAPIKey: KEY, baseURL, maxRetries: 1, initialRetryDelay: 1 });
    const events: unknown[] = [];
    client.events$.subscribe((event) => events.push(event));
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(InternalServerError);
    expectAbsent(failure, PASSWORD);
    expect((failure as InternalServerError).request?.url).toMatch(
      /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/things$/,
    );
    expect(inspect(events, { depth: Infinity })).not.toContain(PASSWORD);
    expect(client.baseURL).not.toContain(PASSWORD);
  });

  it('never shows its password in a connection error', async () => {
    client = createClient({
      adminAPIKey: KEY,
      baseURL: `http://user:${PASSWORD}@127.0.0.1:1/v1`,
      maxRetries: 0,
    });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(APIConnectionError);
    expectAbsent(failure, PASSWORD);
  });
});

describe('a 404 from a base URL without /v1', () => {
  const invalidURL = (req: IncomingMessage, res: ServerResponse): void =>
    json(res, 404, {
      error: { message: `Invalid URL (GET ${req.url})`, type: 'invalid_request_error' },
    });

  it('hints that the API root usually ends in /v1, showing the base URL', async () => {
    const scripted = await serve(invalidURL);
    const root = scripted.url.replace(/\/v1$/, '');
    client = createClient({ adminAPIKey: KEY, baseURL: root });
    const failure = await failureOf(
      firstValueFrom(permissions$('ft:gpt-4o-mini:acme:x:ckpt', { client })),
    );
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as NotFoundError).hint).toBe(`the API root usually ends in /v1 (got ${root})`);
    expect((failure as Error).message).toContain(`the API root usually ends in /v1 (got ${root})`);
    expect(JSON.stringify(failure)).toContain('usually ends in /v1');
  });

  it('gives no hint when the base URL ends in /v1', async () => {
    const scripted = await serve(invalidURL);
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as NotFoundError).hint).toBeUndefined();
    expect((failure as Error).message).not.toContain('/v1 (got');
  });

  it('gives no hint when the 404 is an OpenAI error about a checkpoint', async () => {
    const scripted = await serve((_req, res) =>
      json(res, 404, {
        error: {
          message: 'Checkpoint ft:x not found',
          type: 'invalid_request_error',
          param: 'fine_tuned_model_checkpoint',
          code: 'model_not_found',
        },
      }),
    );
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url.replace(/\/v1$/, '/proxy') });
    const failure = await failureOf(client.request(anyBody));
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as NotFoundError).hint).toBeUndefined();
  });

  it('hides the password of the base URL it shows', async () => {
    const scripted = await serve(invalidURL);
    const root = scripted.url.replace(/\/v1$/, '').replace('http://', `http://me:${PASSWORD}@`);
    client = createClient({ adminAPIKey: KEY, baseURL: root });
    const failure = await failureOf(client.request(anyBody));
    expect((failure as NotFoundError).hint).toContain('/v1 (got http://');
    expectAbsent(failure, PASSWORD);
  });
});

describe('a list whose cursor cannot be followed', () => {
  const page = (ids: string[], lastID: string | null) => ({
    object: 'list',
    data: ids.map((id) => ({
      object: 'checkpoint.permission',
      id,
      created_at: 1,
      project_id: 'proj_a',
    })),
    has_more: true,
    first_id: ids[0] ?? null,
    last_id: lastID,
  });

  it('fails with a ProtocolError naming the request of the page whose cursor repeats', async () => {
    let served = 0;
    const scripted = await serve((_req, res) => {
      served++;
      // The second page points back at the first page's cursor.
      json(res, 200, page([`cp_${served}`], 'cp_1'), { 'x-request-id': `req_page_${served}` });
    });
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url });
    const failure = await failureOf(
      firstValueFrom(permissions$('ft:x', { client }).pipe(toArray())),
    );
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as ProtocolError).requestID).toBe('req_page_2');
    expect(scripted.requests).toHaveLength(2);
  });

  it('names the request of a has_more page without a cursor, in the pull iterator too', async () => {
    const scripted = await serve((_req, res) => {
      json(res, 200, page([], null), { 'x-request-id': 'req_no_cursor' });
    });
    client = createClient({ adminAPIKey: KEY, baseURL: scripted.url });
    const pages = permissionPages('ft:x', { client });
    const failure = await failureOf(
      (async () => {
        for await (const _page of pages);
      })(),
    );
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as ProtocolError).requestID).toBe('req_no_cursor');
  });
});
