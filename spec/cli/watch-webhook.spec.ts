import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookDelivery } from '../../src/cli/watch/webhook.js';
import { seedOrganization, startEmulator } from '../../src/emulator/index.js';
import type { RetryPolicy } from '../../src/internal/retry/retry-policy.js';
import { SECRET_KEY, start } from './helpers.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: { id: string; text: string; event: Record<string, unknown> };
}

/** A webhook receiver on a free loopback port that answers each POST with the next status. */
async function receiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Received['body'] });
      res.writeHead(statuses.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/s3cr3t-token`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const FAST: RetryPolicy = {
  maxRetries: 2,
  initialRetryDelay: 5,
  maxRetryDelay: 10,
  maxRetryAfter: 1000,
  deadline: Infinity,
};

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('WebhookDelivery', () => {
  it('retries a failed POST with the same id until it is delivered, at least once, in order', async () => {
    const hook = await receiver([503, 500]);
    closers.push(hook.close);
    const warnings: string[] = [];
    const delivery = new WebhookDelivery(hook.url, { warn: (l) => warnings.push(l), policy: FAST });
    delivery.send({ id: 'evt-1', text: 'one', event: { n: 1 } });
    delivery.send({ id: 'evt-2', text: 'two', event: { n: 2 } });
    await until(() => delivery.counts.delivered === 2, 'both deliveries');
    await delivery.close(1000);
    expect(hook.received.map((r) => r.body.id)).toEqual(['evt-1', 'evt-1', 'evt-1', 'evt-2']);
    for (const { headers, body } of hook.received) {
      expect(headers['idempotency-key']).toBe(body.id);
      expect(headers['x-event-id']).toBe(body.id);
      expect(headers['content-type']).toBe('application/json');
    }
    expect(warnings).toEqual([]);
  });

  it('gives a dead webhook up with one line on stderr per message, never throwing, never showing its secret path', async () => {
    const hook = await receiver([500, 500, 500, 500, 500, 500]);
    closers.push(hook.close);
    const warnings: string[] = [];
    const delivery = new WebhookDelivery(hook.url, { warn: (l) => warnings.push(l), policy: FAST });
    delivery.send({ id: 'evt-a', text: 'a', event: {} });
    delivery.send({ id: 'evt-b', text: 'b', event: {} });
    await until(() => delivery.counts.failed === 2, 'both given up');
    await delivery.close(1000);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^checkpoint-permissions: webhook: event evt-a not delivered to http:\/\/127\.0\.0\.1:\d+ \(status 500; gave up after 2 retries\); the watch goes on\n$/,
    );
    expect(warnings.join('')).not.toContain('s3cr3t-token');
  });

  it('keeps a bounded queue: past it the oldest message is dropped, with a warning', async () => {
    const warnings: string[] = [];
    // Nothing listens on port 9 of loopback: every attempt fails; no retries.
    const delivery = new WebhookDelivery('http://127.0.0.1:9/hook', {
      warn: (l) => warnings.push(l),
      policy: { ...FAST, maxRetries: 0 },
      maxQueue: 2,
    });
    for (const id of ['m1', 'm2', 'm3', 'm4']) delivery.send({ id, text: id, event: {} });
    await delivery.close(2000);
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(2);
    expect(delivery.counts.queued).toBe(0);
  });
});

describe('watch --webhook', () => {
  it('POSTs a rogue grant and its enforcement as { text, event, id }, the text one line with control characters escaped', async () => {
    const emulator = await startEmulator({
      adminKey: SECRET_KEY,
      dataset: seedOrganization({ seed: 11, jobs: 2 }),
    });
    closers.push(() => emulator.close());
    const hook = await receiver();
    closers.push(hook.close);
    const dir = mkdtempSync(join(tmpdir(), 'watch-hook-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const truth = emulator.truth();
    const checkpoint = Object.keys(truth.permissions).find(
      (c) => truth.permissions[c]!.length > 0,
    )!;
    const grantees = truth.permissions[checkpoint]!.map((p) => p.project_id);
    const rogue = truth.projects.find(
      (p) => p.id !== truth.owners[checkpoint] && !grantees.includes(p.id),
    )!.id;
    writeFileSync(join(dir, 'allow.json'), JSON.stringify({ projects: grantees }));
    const run = start([
      'watch',
      checkpoint,
      '--base-url',
      emulator.url,
      '--admin-key',
      SECRET_KEY,
      '--allow',
      join(dir, 'allow.json'),
      '--revoke',
      '--apply',
      '--interval',
      '50ms',
      '--webhook',
      hook.url,
    ]);
    await until(() => run.stdout().includes('"synced"'), 'the snapshot');
    const granted = emulator.grant(checkpoint, rogue);
    await until(() => hook.received.length >= 2, 'two webhook messages');
    run.interrupt();
    expect((await run.done).code).toBe(0);
    const [violation, enforced] = hook.received.map((r) => r.body);
    const logEvent = emulator
      .truth()
      .auditLog.find((e) => e['checkpoint.permission.created']?.id === granted.id)!;
    expect(violation).toMatchObject({
      id: logEvent.id,
      event: { type: 'granted', permission_id: granted.id, allowed: false, project_id: rogue },
    });
    expect(violation!.text).toContain(`rogue grant: ${rogue} may use `);
    expect(violation!.text).toContain('granted by colleague@acme.example');
    // eslint-disable-next-line no-control-regex -- control characters are what must be absent
    expect(violation!.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(enforced).toMatchObject({
      event: { type: 'enforced', permission_id: granted.id, deleted: true },
    });
    expect(enforced!.text).toMatch(/: revoked: /);
    expect(enforced!.id).not.toBe(violation!.id);
  });
});
