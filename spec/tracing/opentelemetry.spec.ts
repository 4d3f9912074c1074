import { tracingChannel } from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceCheckpointPermissions } from '../../docs/examples/opentelemetry.js';
import { createClient } from '../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { REQUEST_CHANNEL } from '../../src/internal/http/trace-channels.js';
import { permissionItems$ } from '../../src/resources/permissions.js';

const PASSWORD = 'proxy-password-NEVER-LEAK';
const ROUTE = '/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions';

let emulator: Emulator;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let stop: (() => void) | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 5 });
});
afterAll(async () => {
  await emulator.close();
  await provider.shutdown();
});
afterEach(() => {
  stop?.();
  stop = undefined;
  exporter.reset();
  emulator.setRateLimit(false);
});

/** A checkpoint of the emulator's dataset that fits in one page of 100. */
function smallCheckpoint(): [string, string[]] {
  const [checkpoint, permissions] = Object.entries(emulator.truth().permissions).find(
    ([, list]) => list.length > 0 && list.length <= 100,
  )!;
  return [checkpoint, permissions.map((p) => p.id)];
}

describe('docs/examples/opentelemetry.ts: traceCheckpointPermissions', () => {
  it('makes a 429 then a 200 two client spans, resend_count 0 and 1, with no secret in any attribute', async () => {
    stop = traceCheckpointPermissions(provider.getTracer('spec'));
    const [checkpoint, ids] = smallCheckpoint();
    // One token, refilled every 500 ms: spent by the request below, so the client's first gets a
    // 429 (the refill is slow enough for a busy machine), and its retry the next token.
    emulator.setRateLimit({ requestsPerMinute: 120, burst: 1 });
    // A project key's request to the jobs endpoint: the one bucket is the organization's.
    const [projectKey] = Object.values(emulator.projectKeys);
    const spent = await fetch(`${emulator.url}/fine_tuning/jobs`, {
      headers: { authorization: `Bearer ${projectKey!}` },
    });
    expect(spent.status).toBe(200);
    const baseURL = emulator.url.replace('http://', `http://admin:${PASSWORD}@`);
    const client = createClient({ adminAPIKey: emulator.adminKey, baseURL });
    try {
      const read = await lastValueFrom(
        permissionItems$(checkpoint, { client, limit: 100 }).pipe(toArray()),
      );
      expect(read.map((p) => p.id).sort()).toEqual([...ids].sort());
    } finally {
      await client.close();
    }

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const [throttled, answered] = spans;
    const origin = new URL(emulator.url);
    for (const span of spans) {
      expect(span.name).toBe(`GET ${ROUTE}`);
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.template': ROUTE,
        'server.address': origin.hostname,
        'server.port': Number(origin.port),
        'checkpoint_permissions.checkpoint': checkpoint,
      });
      expect(span.attributes['url.full']).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\//);
      expect(span.attributes['url.full']).toContain('limit=100');
    }
    expect(throttled!.attributes).toMatchObject({
      'http.request.resend_count': 0,
      'http.response.status_code': 429,
      'error.type': '429',
    });
    expect(throttled!.status.code).toBe(SpanStatusCode.ERROR);
    // The limiter's pause after that 429 is an event on its span.
    expect(throttled!.events.map((e) => e.name)).toContain('checkpoint_permissions.limiter.pause');
    expect(answered!.attributes).toMatchObject({
      'http.request.resend_count': 1,
      'http.response.status_code': 200,
    });
    expect(answered!.attributes['error.type']).toBeUndefined();
    expect(answered!.status.code).not.toBe(SpanStatusCode.ERROR);
    // The emulator saw exactly these two API requests from the client (and the one spending the token).
    expect(emulator.stats().byStatus).toMatchObject({ 200: 2, 429: 1 });

    const everything = JSON.stringify(
      spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    expect(everything).not.toContain(emulator.adminKey);
    expect(everything).not.toContain(projectKey!);
    expect(everything).not.toContain(PASSWORD);
  });

  it('stops: no span, and no subscriber left on the channel', async () => {
    stop = traceCheckpointPermissions(provider.getTracer('spec'));
    expect(tracingChannel(REQUEST_CHANNEL).hasSubscribers).toBe(true);
    stop();
    stop = undefined;
    expect(tracingChannel(REQUEST_CHANNEL).hasSubscribers).toBe(false);
    const [checkpoint] = smallCheckpoint();
    const client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
    try {
      await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray()));
    } finally {
      await client.close();
    }
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('@opentelemetry/api stays optional', () => {
  it('is an optional peer and a dev dependency, never a dependency, and no library file imports it', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    expect(manifest.dependencies?.['@opentelemetry/api']).toBeUndefined();
    expect(manifest.peerDependencies?.['@opentelemetry/api']).toBeDefined();
    expect(manifest.peerDependenciesMeta?.['@opentelemetry/api']).toEqual({ optional: true });
    const sources = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join('src', file));
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources)
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/@opentelemetry/);
  });
});
