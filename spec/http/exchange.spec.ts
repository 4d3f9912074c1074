import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { Agent, errors, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { startExchange } from '../../src/internal/http/exchange.js';
import { sendRequest$, type Transport } from '../../src/internal/http/send-request.js';
import { dispatchTarget } from '../../src/internal/http/url.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const SECRET = 'sk-admin-THIS-MUST-NEVER-LEAK-1234567890';
const LEGACY_METHODS = [
  'onConnect',
  'onUpgrade',
  'onHeaders',
  'onData',
  'onComplete',
  'onError',
  'onBodySent',
  'onResponseStarted',
];

let agent: Agent;
let server: ScriptedServer;

beforeAll(async () => {
  agent = new Agent({ keepAliveTimeout: 1000 });
  server = await startScriptedServer((_req, res) => json(res, 200, { ok: true }));
});
afterAll(async () => {
  await server.close();
  await agent.close();
});

function transportFor(dispatcher: Dispatcher): Transport {
  return {
    baseURL: server.url,
    ...dispatchTarget(server.url),
    dispatcher,
    headers: { 'user-agent': 'spec' },
    authorization: () => `Bearer ${SECRET}`,
    scheduler: new ManualScheduler(),
    maxResponseBytes: 1024 * 1024,
    secrets: () => [SECRET],
  };
}

/**
 * A dispatcher as undici 6 is one (the `DispatcherBase.dispatch` and `Request` of undici 6): a
 * handler without the older methods is refused at once with `InvalidArgumentError`, and only the
 * older methods are ever called. It forwards those calls to a real undici 7 agent.
 */
function undici6Like(): Dispatcher {
  return {
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      for (const method of ['onConnect', 'onError', 'onHeaders', 'onData', 'onComplete'] as const) {
        if (typeof handler[method] !== 'function')
          throw new errors.InvalidArgumentError(`invalid ${method} method`);
      }
      const only: Dispatcher.DispatchHandler = {
        onConnect: (abort) => handler.onConnect?.(abort),
        onHeaders: (status, raw, resume, text) =>
          handler.onHeaders?.(status, raw, resume, text) ?? true,
        onData: (chunk) => handler.onData?.(chunk) ?? true,
        onComplete: (trailers) => handler.onComplete?.(trailers),
        onError: (error) => handler.onError?.(error),
      };
      return agent.dispatch(options, only);
    },
  } as unknown as Dispatcher;
}

describe('startExchange speaks only undici 7 handler API', () => {
  it('hands the dispatcher a handler with the v2 methods and none of the deprecated ones', () => {
    let seen: Dispatcher.DispatchHandler | undefined;
    const recording = {
      dispatch: (_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
        seen = handler;
        return true;
      },
    } as unknown as Dispatcher;
    const exchange = startExchange(
      recording,
      { origin: 'http://127.0.0.1:1', path: '/', method: 'GET', headers: {}, body: null },
      { maxBody: 1024, maxErrorBody: 1024 },
      { response: () => undefined, failure: () => undefined, overflow: () => undefined },
    );
    exchange.abort();
    const handler = seen as unknown as Record<string, unknown>;
    for (const method of [
      'onRequestStart',
      'onResponseStart',
      'onResponseData',
      'onResponseEnd',
      'onResponseError',
    ]) {
      expect(typeof handler[method], method).toBe('function');
    }
    for (const method of LEGACY_METHODS) expect(handler[method], method).toBeUndefined();
  });

  it('refuses a dispatcher that speaks only the older API with a ConfigError naming `dispatcher`, sending nothing', async () => {
    const before = server.requests.length;
    const failure = await firstValueFrom(
      sendRequest$(
        transportFor(undici6Like()),
        { method: 'GET', path: '/things', parse: (b) => b },
        { timeout: 5000 },
      ),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).option).toBe('dispatcher');
    expect((failure as Error).message).toMatch(/undici 6|older handler API/);
    expect((failure as Error).message).toMatch(/Agent/);
    expect((failure as Error).message).not.toContain(SECRET);
    expect(server.requests.length).toBe(before);
  });

  it("refuses the dispatcher of Node's own fetch (a bundled undici 6 on Node 20 and 22) the same way", async () => {
    const child = fileURLToPath(new URL('../fixtures/node-fetch-dispatcher.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], {
      timeout: 20_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      bundled: string;
      outcome: string;
      name?: string;
      option?: string;
      message?: string;
      requests: number;
    };
    if (Number(result.bundled.split('.')[0]) >= 7) {
      // Node 24 and later bundle undici 7, which speaks the handler API the transport uses.
      expect(result).toMatchObject({ outcome: 'answered', requests: 1 });
      return;
    }
    expect(result).toMatchObject({
      outcome: 'failed',
      name: 'ConfigError',
      option: 'dispatcher',
      requests: 0,
    });
    expect(result.message).toContain(`invalid`);
  });
});
