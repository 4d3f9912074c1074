import { EMPTY } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMetrics, WatchMetrics } from '../../src/cli/watch/metrics-server.js';
import { WatchProgressLine } from '../../src/cli/watch/progress-line.js';
import type { Client } from '../../src/client/create-client.js';

/** A client whose counters are what the test says. */
function stubClient(counters = { requests: 7, rateLimited: 2, waitedMs: 1500 }): Client {
  return {
    baseURL: 'http://stub/v1',
    events$: EMPTY,
    metrics: () => ({ ...counters, retries: 0, retryBudget: undefined, limiter: {} }),
  } as unknown as Client;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('watch metrics', () => {
  it('serves the counters of this watch only, in the Prometheus text format', async () => {
    const metrics = new WatchMetrics(stubClient(), 1000);
    const other = new WatchMetrics(stubClient(), 1000); // its own registry: no clash, no sharing
    other.poll({ at: 0, ok: false, changes: 1 });
    metrics.poll({ at: 0, ok: true, changes: 0 });
    metrics.poll({ at: 0, ok: false, changes: 1 });
    metrics.change({
      type: 'error',
      during: 'poll',
      checkpoint: null,
      error: { status: 503, type: null, message: 'x', request_id: null },
      at: 0,
    });
    metrics.enforcement('revoked');
    const server = await serveMetrics(metrics, 0, '127.0.0.1');
    closers.push(server.close);
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('watch_polls_total{outcome="ok"} 1');
    expect(text).toContain('watch_polls_total{outcome="failed"} 1');
    expect(text).toContain('watch_events_total{type="error"} 1');
    expect(text).toContain('watch_errors_total{during="poll"} 1');
    expect(text).toContain('watch_enforcements_total{outcome="revoked"} 1');
    expect(text).toContain('watch_requests_total 7');
    expect(text).toContain('watch_rate_limited_total 2');
    expect(text).toContain('watch_limiter_wait_seconds_total 1.5');
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it('/healthz fails (503) once the last successful poll is older than three intervals', async () => {
    const metrics = new WatchMetrics(stubClient(), 1000);
    const server = await serveMetrics(metrics, 0, '127.0.0.1');
    closers.push(server.close);
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    metrics.poll({ at: 0, ok: true, changes: 0 });
    expect(metrics.healthy(Date.now() + 3000)).toBe(true);
    expect(metrics.healthy(Date.now() + 3100)).toBe(false);
    const stale = new WatchMetrics(stubClient(), 1); // 3 ms: stale by the time it is asked
    await new Promise((resolve) => setTimeout(resolve, 10));
    const staleServer = await serveMetrics(stale, 0, '127.0.0.1');
    closers.push(staleServer.close);
    const response = await fetch(`http://127.0.0.1:${staleServer.port}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/^stale: /);
  });
});

describe('watch progress line', () => {
  it('draws the last poll, the changes and the next poll on a TTY, and nothing elsewhere', () => {
    let tty = '';
    let file = '';
    const onTTY = new WatchProgressLine({ isTTY: true, write: (t: string) => (tty += t) }, 30_000);
    const inFile = new WatchProgressLine(
      { isTTY: false, write: (t: string) => (file += t) },
      30_000,
    );
    for (const line of [onTTY, inFile]) {
      line.change({
        type: 'granted',
        checkpoint: 'ft:x',
        project_id: 'proj_a',
        permission_id: 'cp_1',
        effective_at: 0,
        actor: null,
        source: 'audit-log',
        event_id: 'audit_log-1',
      });
      line.poll({ at: Date.parse('2026-11-30T00:30:00Z'), ok: true, changes: 1 });
      line.stop();
    }
    expect(tty).toContain('watch: last poll 00:30:00, 1 change, 0 errors');
    expect(file).toBe('');
  });
});
