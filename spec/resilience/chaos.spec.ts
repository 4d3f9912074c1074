import { from, lastValueFrom, map, mergeMap, toArray } from 'rxjs';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/create-client.js';
import { chaosEverywhere, startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  APIUserAbortError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from '../../src/errors.js';
import type { RetryEvent } from '../../src/internal/retry/plan-retry.js';
import { permissionItems$ } from '../../src/resources/permissions.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The resilience proof, over loopback against the emulator: faults of every kind and a rate
 * limit must cost extra requests only for the failing pages, and never a lost or repeated
 * permission.
 */
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 23, organization: { jobs: 8 } });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  emulator.setChaos({});
  emulator.setRateLimit(false);
  emulator.resetStats();
});

function key(p: { id: string; project_id: string }): string {
  return `${p.id}/${p.project_id}`;
}

describe('under chaos and a rate limit', () => {
  it('reads every checkpoint exactly: no permission missing, none duplicated, only failed pages re-sent', async () => {
    const truth = emulator.truth().permissions;
    const checkpoints = Object.keys(truth);
    emulator.setChaos({
      ...chaosEverywhere(0.2),
      latency: 0.05,
      latencyMs: 15,
      slowBody: 0.05,
      slowBodyMs: 15,
    });
    emulator.setRateLimit({ requestsPerMinute: 12_000, burst: 10 });
    const retries: RetryEvent[] = [];
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetries: 12,
      initialRetryDelay: 5,
      maxRetryDelay: 50,
      onRetry: (event) => retries.push(event),
    });
    try {
      const seen = await lastValueFrom(
        from(checkpoints).pipe(
          mergeMap(
            (checkpoint) =>
              permissionItems$(checkpoint, { client, limit: 10, order: 'ascending' }).pipe(
                toArray(),
                map((items) => [checkpoint, items] as const),
              ),
            8,
          ),
          toArray(),
        ),
      );
      expect(seen).toHaveLength(checkpoints.length);
      for (const [checkpoint, items] of seen) {
        // Exactly the truth, in order: nothing missing, nothing repeated, nothing extra.
        expect(items.map(key)).toEqual(truth[checkpoint]!.map(key));
      }

      const stats = emulator.stats();
      expect(stats.faults).toBeGreaterThan(0);
      // Every extra request answered a fault or a 429: nothing already read was fetched again.
      expect(stats.requests).toBe(stats.permissionPagesServed + stats.faults + stats.rateLimited);
      expect(retries.length).toBe(stats.faults + stats.rateLimited);
      expect(client.metrics()).toMatchObject({ requests: stats.requests, retries: retries.length });
    } finally {
      await client.close();
    }
  });

  it('surfaces the last error, with its requestID, once retries are exhausted', async () => {
    emulator.setChaos({ error503: 1 });
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetries: 2,
      initialRetryDelay: 1,
    });
    try {
      const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
      const error = (await lastValueFrom(permissionItems$(checkpoint, { client })).catch(
        (e: unknown) => e,
      )) as InternalServerError;
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.status).toBe(503);
      expect(error.requestID).toMatch(/^req_/);
      expect(emulator.stats().requests).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('sends a non-retryable request once', async () => {
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetries: 5,
    });
    try {
      const error = await lastValueFrom(
        permissionItems$('ft:unknown:checkpoint', { client }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(emulator.stats().requests).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('gives up at once on a 429 that asks for longer than maxRetryAfter', async () => {
    emulator.setRateLimit({ requestsPerMinute: 1, burst: 1 });
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetryAfter: 1000,
    });
    try {
      const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
      // Someone else spends the only token; the bucket refills in a minute.
      const drained = await fetch(`${emulator.url}/fine_tuning/jobs`, {
        headers: { authorization: `Bearer ${Object.values(emulator.projectKeys)[0]!}` },
      });
      expect(drained.status).toBe(200);
      const error = await lastValueFrom(permissionItems$(checkpoint, { client })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).headers['retry-after-ms']).toBeDefined();
      expect(emulator.stats()).toMatchObject({ requests: 2, rateLimited: 1 });
      // Had it slept the minute out, the test would have timed out first.
    } finally {
      await client.close();
    }
  });

  it('ends a pending backoff at once when the signal fires (the official SDK sleeps it out)', async () => {
    emulator.setChaos({ error500: 1 });
    const scheduler = new ManualScheduler();
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      scheduler,
      initialRetryDelay: 60_000,
    });
    const controller = new AbortController();
    try {
      const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
      const result = lastValueFrom(
        permissionItems$(checkpoint, { client, signal: controller.signal }),
      ).catch((e: unknown) => e);
      // Wait for the first failure: then only the backoff timer is pending.
      await waitFor(() => client.metrics().retries === 1, 'the first attempt to fail');
      expect(scheduler.pending).toBe(1);
      controller.abort();
      expect(await result).toBeInstanceOf(APIUserAbortError);
      expect(scheduler.pending).toBe(0);
      expect(emulator.stats().requests).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('reports each retry on events$ with what failed and how long it waits', async () => {
    emulator.setChaos({ error502Html: 1 });
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      maxRetries: 1,
      initialRetryDelay: 1,
    });
    const events: RetryEvent[] = [];
    client.events$.subscribe((e) => e.type === 'retry' && events.push(e));
    try {
      const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
      await lastValueFrom(permissionItems$(checkpoint, { client })).catch(() => undefined);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'retry',
        checkpoint,
        attempt: 1,
        reason: 'status 502',
        status: 502,
      });
      expect(events[0]!.requestID).toMatch(/^req_/);
      expect(events[0]!.delayMs).toBeGreaterThanOrEqual(0);
      expect(events[0]!.delayMs).toBeLessThan(1);
    } finally {
      await client.close();
    }
  });
});
