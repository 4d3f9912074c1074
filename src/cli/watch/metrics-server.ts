import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { PermissionChange, PollOutcome } from '../../audit/permission-changes.js';
import type { Client } from '../../client/create-client.js';

/**
 * The Prometheus metrics of one watch, in a registry of its own (never prom-client's global
 * one, which two watches in one process would share), and what `/healthz` decides from.
 *
 * @example
 * ```ts
 * const metrics = new WatchMetrics(client, 60_000);
 * metrics.poll({ at: Date.now(), ok: true, changes: 0 });
 * await metrics.registry.metrics(); // the text format
 * ```
 */
export class WatchMetrics {
  readonly registry = new Registry();
  readonly #polls: Counter<'outcome'>;
  readonly #events: Counter<'type'>;
  readonly #enforcements: Counter<'outcome'>;
  readonly #errors: Counter<'during'>;
  readonly #lastPoll: Gauge;
  readonly #started = Date.now();
  #lastOkAt: number | undefined;

  constructor(
    client: Client,
    readonly intervalMs: number,
  ) {
    const registers = [this.registry];
    this.#polls = new Counter({
      name: 'watch_polls_total',
      help: 'Polls of the audit log, by outcome (ok, failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.#events = new Counter({
      name: 'watch_events_total',
      help: 'Changes reported, by type (granted, revoked, synced, error).',
      labelNames: ['type'],
      registers,
    });
    this.#enforcements = new Counter({
      name: 'watch_enforcements_total',
      help: 'Violations enforced, by outcome (revoked, dry_run, failed, over_budget).',
      labelNames: ['outcome'],
      registers,
    });
    this.#errors = new Counter({
      name: 'watch_errors_total',
      help: 'Steps that failed after retries, by step (poll, snapshot, resync).',
      labelNames: ['during'],
      registers,
    });
    this.#lastPoll = new Gauge({
      name: 'watch_last_successful_poll_timestamp_seconds',
      help: 'Unix time of the last poll that succeeded (0: none yet).',
      registers,
    });
    // The client's own counters, read when scraped.
    const fromClient = (name: string, help: string, read: () => number): void =>
      void new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    fromClient(
      'watch_requests_total',
      'HTTP requests sent, retries included.',
      () => client.metrics().requests,
    );
    fromClient(
      'watch_rate_limited_total',
      'Responses with status 429.',
      () => client.metrics().rateLimited,
    );
    fromClient(
      'watch_limiter_wait_seconds_total',
      'Seconds requests spent queued in the limiter or backing off, summed.',
      () => client.metrics().waitedMs / 1000,
    );
    this.#lastPoll.set(0);
  }

  poll(poll: PollOutcome): void {
    this.#polls.inc({ outcome: poll.ok ? 'ok' : 'failed' });
    if (!poll.ok) return;
    this.#lastOkAt = Date.now();
    this.#lastPoll.set(Math.floor(this.#lastOkAt / 1000));
  }

  change(change: PermissionChange): void {
    this.#events.inc({ type: change.type });
    if (change.type === 'error') this.#errors.inc({ during: change.during });
  }

  enforcement(outcome: 'revoked' | 'dry_run' | 'failed' | 'over_budget'): void {
    this.#enforcements.inc({ outcome });
  }

  /**
   * Healthy while the last successful poll (or, before the first, the start) is at most three
   * intervals old: one slow poll is fine, a watch stuck for three is not.
   */
  healthy(now = Date.now()): boolean {
    return now - (this.#lastOkAt ?? this.#started) <= 3 * this.intervalMs;
  }
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` (200, or 503 when unhealthy) on
 * `host:port`. Resolves once listening, with the port (useful with port 0).
 *
 * @example
 * ```ts
 * const server = await serveMetrics(metrics, 9464, '127.0.0.1');
 * // curl http://127.0.0.1:9464/metrics
 * await server.close();
 * ```
 */
export async function serveMetrics(
  metrics: WatchMetrics,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      const ok = metrics.healthy();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ok ? 'ok\n' : 'stale: no successful poll for more than 3 intervals\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
