import {
  channel,
  tracingChannel,
  type Channel,
  type TracingChannelSubscribers,
} from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { of } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type Client } from '../../src/client/create-client.js';
import { APIUserAbortError, InternalServerError } from '../../src/errors.js';
import {
  REQUEST_CHANNEL,
  routeOf,
  traceAttempt$,
  type RequestTraceContext,
} from '../../src/internal/http/trace-channels.js';
import { permissionsPath } from '../../src/resources/paths.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';

const KEY = 'sk-admin-THIS-MUST-NEVER-LEAK-1234567890';
const PASSWORD = 'proxy-password-NEVER-LEAK';
const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd:ckpt-step-10';
const ROUTE = '/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions';
const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
type EventName = (typeof EVENTS)[number];

const emptyPage = { object: 'list', data: [], has_more: false, first_id: null, last_id: null };
const listSpec = {
  method: 'GET',
  path: permissionsPath(CHECKPOINT),
  query: { limit: 10 },
  parse: (body: unknown) => body,
} as const;

let server: ScriptedServer;
let handle: Parameters<typeof startScriptedServer>[0];
let clients: Client[] = [];

beforeAll(async () => {
  server = await startScriptedServer((req, res) => handle(req, res));
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  server.requests.length = 0;
});

/** A client whose base URL carries a password, as a proxy URL may, and retries without waiting. */
function client(): Client {
  const url = server.url.replace('http://', `http://admin:${PASSWORD}@`);
  const made = createClient({ adminAPIKey: KEY, baseURL: url, initialRetryDelay: 0 });
  clients.push(made);
  return made;
}

interface Seen {
  readonly event: EventName;
  readonly context: RequestTraceContext;
  /** The context as it was when published, serialised, as a log shipper would. */
  readonly json: string;
}

/** Records every event of the request channel while `body` runs. */
async function recording(body: (seen: Seen[]) => Promise<void>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const record = (event: EventName) => (message: unknown) => {
    const context = message as RequestTraceContext;
    seen.push({ event, context, json: JSON.stringify(context) });
  };
  const handlers = Object.fromEntries(
    EVENTS.map((event) => [event, record(event)]),
  ) as unknown as TracingChannelSubscribers<RequestTraceContext>;
  const traced = tracingChannel<unknown, RequestTraceContext>(REQUEST_CHANNEL);
  traced.subscribe(handlers);
  try {
    await body(seen);
  } finally {
    traced.unsubscribe(handlers);
  }
  return seen;
}

function expectNoSecret(seen: readonly Seen[]): void {
  for (const { context, json: text } of seen) {
    for (const rendering of [text, inspect(context, { depth: Infinity })]) {
      expect(rendering).not.toContain(KEY);
      expect(rendering).not.toContain(PASSWORD);
    }
    // No headers of the request: the context holds only these (an error is redacted when made).
    const fields = ['method', 'route', 'url', 'checkpoint', 'attempt', 'limiterWaitMs'];
    const outcome = ['status', 'requestID', 'error'];
    for (const field of Object.keys(context)) expect([...fields, ...outcome]).toContain(field);
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}

describe('the request channel', () => {
  it('publishes start, end, asyncStart, asyncEnd for a success, with the context of the attempt', async () => {
    handle = (_req, res) => json(res, 200, emptyPage, { 'x-request-id': 'req_ok' });
    const seen = await recording(async () => {
      await client().request(listSpec, { checkpoint: CHECKPOINT });
    });
    expect(seen.map((s) => s.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    // One object from start to asyncEnd, completed with the outcome.
    expect(new Set(seen.map((s) => s.context)).size).toBe(1);
    const [started] = seen;
    expect(JSON.parse(started!.json)).toEqual({
      method: 'GET',
      route: ROUTE,
      url: `${server.url.replace('http://', 'http://***@')}${listSpec.path}?limit=10`,
      checkpoint: CHECKPOINT,
      attempt: 1,
      limiterWaitMs: expect.any(Number),
    });
    expect(started!.context.limiterWaitMs).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)!.context).toMatchObject({ status: 200, requestID: 'req_ok' });
    expect(seen.at(-1)!.context.error).toBeUndefined();
    // What the server saw is what the context says.
    expect(server.requests[0]?.url).toBe(`/v1${listSpec.path}?limit=10`);
    expectNoSecret(seen);
  });

  it('publishes each attempt of a retried 503: error then asyncStart/asyncEnd, then the retry', async () => {
    let calls = 0;
    handle = (_req, res) =>
      ++calls === 1
        ? json(
            res,
            503,
            { error: { message: `overloaded; you sent Bearer ${KEY}`, type: 'server_error' } },
            { 'x-request-id': 'req_503', 'x-should-retry': 'true' },
          )
        : json(res, 200, emptyPage, { 'x-request-id': 'req_200' });
    const seen = await recording(async () => {
      await client().request(listSpec, { checkpoint: CHECKPOINT });
    });
    expect(seen.map((s) => `${s.context.attempt}:${s.event}`)).toEqual([
      '1:start',
      '1:end',
      '1:error',
      '1:asyncStart',
      '1:asyncEnd',
      '2:start',
      '2:end',
      '2:asyncStart',
      '2:asyncEnd',
    ]);
    const [first, second] = [seen[0]!.context, seen.at(-1)!.context];
    expect(first).toMatchObject({ attempt: 1, status: 503, requestID: 'req_503', route: ROUTE });
    expect(first.error).toBeInstanceOf(InternalServerError);
    expect(second).toMatchObject({ attempt: 2, status: 200, requestID: 'req_200', route: ROUTE });
    expect(second.error).toBeUndefined();
    expect(server.requests).toHaveLength(2);
    expectNoSecret(seen);
  });

  it('ends an aborted attempt with error, asyncStart and asyncEnd, its error an APIUserAbortError', async () => {
    handle = () => {
      /* never answers */
    };
    const controller = new AbortController();
    const seen = await recording(async (events) => {
      const request = client().request(listSpec, {
        checkpoint: CHECKPOINT,
        signal: controller.signal,
      });
      await waitFor(() => server.requests.length === 1);
      expect(events.map((s) => s.event)).toEqual(['start', 'end']);
      controller.abort();
      await expect(request).rejects.toBeInstanceOf(APIUserAbortError);
    });
    expect(seen.map((s) => s.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const { context } = seen.at(-1)!;
    expect(context.error).toBeInstanceOf(APIUserAbortError);
    expect(context.status).toBeUndefined();
    expectNoSecret(seen);
  });

  it('times the wait in the limiter', async () => {
    // The slow start lets one request through until the first response: the second waits.
    let release: (() => void) | undefined;
    handle = (_req, res) => {
      release = () => json(res, 200, emptyPage);
    };
    const seen = await recording(async () => {
      const traced = client();
      const both = Promise.all([traced.request(listSpec), traced.request(listSpec)]);
      await waitFor(() => release !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const first = release!;
      release = undefined;
      first();
      await waitFor(() => release !== undefined);
      release!();
      await both;
    });
    const starts = seen.filter((s) => s.event === 'start').map((s) => JSON.parse(s.json));
    expect(starts).toHaveLength(2);
    expect(starts[0].limiterWaitMs).toBeLessThan(starts[1].limiterWaitMs);
    expect(starts[1].limiterWaitMs).toBeGreaterThanOrEqual(5);
  });

  it('publishes nothing and builds no context without a subscriber', async () => {
    const channels = EVENTS.map((event) => channel(`tracing:${REQUEST_CHANNEL}:${event}`));
    const spies = channels.flatMap((c: Channel) => [
      vi.spyOn(c, 'publish'),
      vi.spyOn(c, 'runStores'),
    ]);
    try {
      handle = (_req, res) => json(res, 200, emptyPage);
      expect(tracingChannel(REQUEST_CHANNEL).hasSubscribers).toBe(false);
      await client().request(listSpec, { checkpoint: CHECKPOINT });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // Without a subscriber the attempt is the untouched Observable: nothing wraps it.
      const attempt$ = of({ status: 200, requestID: undefined });
      expect(traceAttempt$(attempt$, { now: () => 0 } as never, listSpec, 'u', undefined, 1)).toBe(
        attempt$,
      );
      // The same spies do see a traced request, so they watch the right channels.
      await recording(async () => {
        await client().request(listSpec, { checkpoint: CHECKPOINT });
      });
      expect(spies.some((spy) => spy.mock.calls.length > 0)).toBe(true);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('routeOf', () => {
  it.each([
    [permissionsPath(CHECKPOINT), CHECKPOINT, ROUTE],
    [permissionsPath(CHECKPOINT), undefined, ROUTE],
    [`${permissionsPath('ft:a b/c')}/cp_123`, 'ft:a b/c', `${ROUTE}/{permission_id}`],
    [
      '/fine_tuning/jobs/ftjob-abc/checkpoints',
      undefined,
      '/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints',
    ],
    ['/fine_tuning/jobs', undefined, '/fine_tuning/jobs'],
  ])('%s (checkpoint %s) is %s', (path, checkpoint, route) => {
    expect(routeOf(path, checkpoint)).toBe(route);
  });
});
