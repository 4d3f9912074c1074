import { firstValueFrom } from 'rxjs';
import { Agent, errors, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, ProtocolError } from '../../src/errors.js';
import { endsMidJSON } from '../../src/internal/http/json-prefix.js';
import {
  sendRequest$,
  type RequestSpec,
  type Transport,
} from '../../src/internal/http/send-request.js';
import { dispatchTarget } from '../../src/internal/http/url.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

/**
 * A body cut short is told apart from a malformed one by what undici reports (its `UND_ERR_*`
 * code) and by the body itself, never by the wording of an error message.
 */

const anyBody: RequestSpec<unknown> = { method: 'GET', path: '/things', parse: (body) => body };

let server: ScriptedServer;
let handle: Parameters<typeof startScriptedServer>[0];
const agents: Agent[] = [];

function transportFor(agentOptions: Agent.Options = {}): Transport {
  const agent = new Agent({ keepAliveTimeout: 1000, ...agentOptions });
  agents.push(agent);
  return {
    baseURL: server.url,
    ...dispatchTarget(server.url),
    dispatcher: agent,
    headers: {},
    authorization: () => 'Bearer sk-spec-key-0123456789',
    scheduler: new ManualScheduler(),
    maxResponseBytes: 1024 * 1024,
    secrets: () => ['sk-spec-key-0123456789'],
  };
}

const failure = (transport: Transport): Promise<unknown> =>
  firstValueFrom(sendRequest$(transport, anyBody, { timeout: 60_000 })).catch((e: unknown) => e);

beforeAll(async () => {
  server = await startScriptedServer((req, res) => handle(req, res));
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await server.close();
  await Promise.all(agents.map((agent) => agent.close()));
});

describe('a body cut off on the wire, by undici’s code', () => {
  it('a connection closed mid-body is an APIConnectionError that keeps undici’s code', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-length': '500' });
      res.write('{"object":"list","data":[');
      setImmediate(() => res.socket?.destroy());
    };
    const error = (await failure(transportFor())) as APIConnectionError;
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error.cause as { code?: unknown }).code).toMatch(/^UND_ERR_/);
  });

  it('a body that stalls past the dispatcher’s bodyTimeout (UND_ERR_BODY_TIMEOUT) is a timeout', async () => {
    // What undici's Agent reports when `bodyTimeout` passes mid-body, without waiting for it.
    const stalling = {
      dispatch(_options: unknown, handler: Dispatcher.DispatchHandler): boolean {
        const controller = { abort: () => undefined } as unknown as Dispatcher.DispatchController;
        setImmediate(() => {
          handler.onRequestStart?.(controller, {});
          handler.onResponseStart?.(controller, 200, { 'x-request-id': 'req_slow' }, 'OK');
          handler.onResponseData?.(controller, Buffer.from('{"object":"list"'));
          handler.onResponseError?.(controller, new errors.BodyTimeoutError());
        });
        return true;
      },
    } as unknown as Dispatcher;
    const error = (await failure({
      ...transportFor(),
      dispatcher: stalling,
    })) as APIConnectionError;
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error.cause as { code?: unknown }).code).toBe('UND_ERR_BODY_TIMEOUT');
    expect(error.requestID).toBe('req_slow');
    expect(error.request).toMatchObject({ method: 'GET', url: `${server.url}/things` });
  });
});

describe('a complete HTTP body whose JSON is cut, by the body itself', () => {
  let body = '';
  const replyWith = (text: string) => {
    body = text;
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    };
  };

  /** `JSON.parse` of the body fails with `said`, as another engine or version would word it. */
  const parserSays = (said: string): void => {
    const parse = JSON.parse.bind(JSON);
    vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver) => {
      if (text === body) throw new SyntaxError(said);
      return parse(text, reviver) as unknown;
    });
  };

  it.each([
    ['JavaScriptCore', 'JSON Parse error: Unexpected EOF'],
    ['an empty message', ''],
  ])('is truncated whatever the parser says (%s)', async (_engine, said) => {
    replyWith('{"object":"list","data":[{"id":"cp_1"');
    const transport = transportFor();
    parserSays(said);
    const error = (await failure(transport)) as ProtocolError;
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.truncated).toBe(true);
  });

  it('is not truncated when the JSON is whole and garbage follows, whatever the parser says', async () => {
    replyWith('{"object":"list"} trailing');
    const transport = transportFor();
    parserSays('Unexpected end of JSON input');
    const error = (await failure(transport)) as ProtocolError;
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.truncated).toBe(false);
  });
});

describe('endsMidJSON', () => {
  it.each([
    '{',
    '{"a"',
    '{"a":',
    '{"a":1,',
    '{"a":"unfinished',
    '{"a":"esc\\',
    '[1,2',
    '[1.',
    '[1e',
    '[-',
    '[tr',
    '{"a":nul',
    '  [ {"id": "cp_1"}, {"id"',
    '{"a":"\\u12',
    '"a',
  ])('%j was cut off', (text) => {
    expect(endsMidJSON(text)).toBe(true);
  });

  it.each([
    '',
    '   ',
    '{"a":1}',
    '{"a":1} x',
    '{"a":1}}',
    '[1,]',
    '[1 2',
    '{a:1',
    '[trux',
    '<html>',
    '{"a":01',
    '[1.e',
    '{"a":"\\x"',
    '12',
  ])('%j is not a JSON text cut off', (text) => {
    expect(endsMidJSON(text)).toBe(false);
  });
});
