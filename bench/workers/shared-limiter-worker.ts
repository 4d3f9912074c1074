/**
 * Child-process entry of the shared-limiter scenario: one of the processes that audit together.
 * Each `{ run: { redisURL } }` audits this process's share of the checkpoints with a fresh client,
 * its limiter in Redis when `redisURL` is given and in memory otherwise, and answers with what it
 * read, its counters and the time each store decision took.
 */
import { lastValueFrom, tap } from 'rxjs';
import type { LimiterStore, LimiterStoreWarning, StoreDecision } from '../../src/index.js';
import { library } from '../support/library.js';

const { auditPermissions$, createClient, redisStore } = library;

export interface SharedLimiterSetup {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly checkpoints: readonly string[];
  readonly limit: number;
  readonly concurrency: number;
}

export interface SharedLimiterInput {
  /** The shared store's Redis; `undefined` for a local limiter only. */
  readonly redisURL: string | undefined;
  /** The store's per-decision timeout, ms; its default when absent. */
  readonly timeout?: number | undefined;
}

export interface SharedLimiterRun {
  /** Permission ids read, by checkpoint. */
  readonly read: Record<string, string[]>;
  readonly failed: number;
  readonly requests: number;
  readonly rateLimited: number;
  /** Store decisions, Redis commands sent, decisions answered locally (Redis unavailable). */
  readonly decisions: number;
  readonly roundTrips: number;
  readonly local: number;
  /** How long each store decision took, ms: the latency Redis adds to a request. */
  readonly decisionMs: number[];
  readonly warnings: string[];
}

/** Times every decision of `store`: what sharing the limiter costs each request. */
function timedStore(store: LimiterStore, samples: number[]): LimiterStore {
  return {
    decide: (scope, call, now) => {
      const start = performance.now();
      const answer = store.decide(scope, call, now);
      if (!(answer instanceof Promise)) {
        samples.push(performance.now() - start);
        return answer;
      }
      return answer.then((decision: StoreDecision) => {
        samples.push(performance.now() - start);
        return decision;
      });
    },
    close: () => store.close?.() ?? Promise.resolve(),
  };
}

async function audit(
  setup: SharedLimiterSetup,
  input: SharedLimiterInput,
): Promise<SharedLimiterRun> {
  const warnings: string[] = [];
  const decisionMs: number[] = [];
  const shared =
    input.redisURL === undefined
      ? undefined
      : redisStore({
          url: input.redisURL,
          retryInterval: 250,
          timeout: input.timeout,
          onWarning: (warning: LimiterStoreWarning) => {
            warnings.push(warning.type);
            console.error(`[process ${process.pid}] ${warning.message}`);
          },
        });
  const client = createClient({
    adminAPIKey: setup.apiKey,
    baseURL: setup.baseURL,
    maxRetries: 20,
    rateLimit: shared ? { store: timedStore(shared, decisionMs) } : {},
  });
  const read: Record<string, string[]> = {};
  let failed = 0;
  try {
    await lastValueFrom(
      auditPermissions$(setup.checkpoints, {
        client,
        concurrency: setup.concurrency,
        limit: setup.limit,
      }).pipe(
        tap((record) => {
          if (record.type === 'permission') (read[record.checkpoint] ??= []).push(record.id);
          if (record.type === 'error') failed++;
        }),
      ),
    );
    const { requests, rateLimited } = client.metrics();
    const stats = shared?.stats();
    return {
      read,
      failed,
      requests,
      rateLimited,
      decisions: stats?.decisions ?? 0,
      roundTrips: stats?.roundTrips ?? 0,
      local: stats?.local ?? 0,
      decisionMs,
      warnings,
    };
  } finally {
    await client.close();
  }
}

process.once('message', async (setup: SharedLimiterSetup) => {
  // Loaded once per process, as in a long-lived job: the runs time the audit, not this import.
  await import('redis');
  process.on('message', (message: unknown) => {
    const input = (message as { run?: SharedLimiterInput } | null)?.run;
    if (!input) return;
    audit(setup, input).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  });
  process.send?.({ ready: true });
});
