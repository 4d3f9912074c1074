import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  seedOrganization,
  startEmulator,
  type Emulator,
  type Truth,
} from '../../src/emulator/index.js';
import { SECRET_KEY, start, type Started } from './helpers.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    adminKey: SECRET_KEY,
    dataset: seedOrganization({ seed: 11, jobs: 2 }),
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'watch-spec-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, unknown> & { type: string };

function linesOf(run: Started): Line[] {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

/** Waits until `condition` holds (checked every 10 ms), failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A checkpoint with permissions, and projects that may be granted to it (not its owner). */
function scene(truth: Truth): { checkpoint: string; grantees: string[]; others: string[] } {
  const checkpoint = Object.keys(truth.permissions).find(
    (name) => (truth.permissions[name]?.length ?? 0) >= 2,
  )!;
  const grantees = truth.permissions[checkpoint]!.map((p) => p.project_id);
  const others = truth.projects
    .map((p) => p.id)
    .filter((id) => id !== truth.owners[checkpoint] && !grantees.includes(id));
  return { checkpoint, grantees, others };
}

function connect(): string[] {
  return ['--base-url', emulator.url, '--admin-key', SECRET_KEY, '--max-retries', '0'];
}

describe('watch (end to end, against the emulator)', () => {
  it('revokes a rogue grant made by someone else within two intervals, leaves an allowed one, and reports a revocation made elsewhere with its checkpoint and project', async () => {
    const { checkpoint, grantees, others } = scene(emulator.truth());
    const [rogue, allowedLater] = others as [string, string];
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify({ projects: [...grantees, allowedLater] }));
    const interval = 500;
    const run = start([
      'watch',
      checkpoint,
      ...connect(),
      '--allow',
      allow,
      '--revoke',
      '--apply',
      '--interval',
      `${interval}ms`,
      '--state',
      join(dir, 'watch.state'),
    ]);
    await until(() => linesOf(run).some((l) => l.type === 'synced'), 'the snapshot');
    expect(linesOf(run)[0]).toMatchObject({
      type: 'synced',
      source: 'snapshot',
      checkpoints: 1,
      permissions: grantees.length,
    });

    const granted = emulator.grant(checkpoint, rogue);
    const grantedAt = Date.now();
    const gone = (): boolean =>
      !emulator.truth().permissions[checkpoint]!.some((p) => p.id === granted.id);
    await until(gone, 'the rogue grant to be revoked');
    expect(Date.now() - grantedAt).toBeLessThanOrEqual(2 * interval);

    const kept = emulator.grant(checkpoint, allowedLater);
    const [first] = emulator.truth().permissions[checkpoint]!;
    emulator.revoke(checkpoint, first!.id);
    await until(
      () => linesOf(run).some((l) => l.type === 'revoked' && l.permission_id === first!.id),
      'the revocation made elsewhere',
    );
    run.interrupt('SIGTERM');
    const { code, stderr } = await run.done;
    expect(code).toBe(0);
    expect(stderr).not.toContain(SECRET_KEY);

    const lines = linesOf(run);
    const about = (id: string): Line[] => lines.filter((l) => l.permission_id === id);
    expect(about(granted.id).map((l) => l.type)).toEqual(['granted', 'enforced', 'revoked']);
    expect(about(granted.id)[0]).toMatchObject({
      checkpoint,
      project_id: rogue,
      allowed: false,
      source: 'audit-log',
      actor: { type: 'session' },
    });
    expect(about(granted.id)[1]).toMatchObject({ dry_run: false, deleted: true });
    expect(about(kept.id)).toEqual([
      expect.objectContaining({ type: 'granted', project_id: allowedLater, allowed: true }),
    ]);
    expect(emulator.truth().permissions[checkpoint]!.map((p) => p.id)).toContain(kept.id);
    expect(about(first!.id)).toEqual([
      expect.objectContaining({
        type: 'revoked',
        checkpoint,
        project_id: first!.project_id,
        source: 'audit-log',
      }),
    ]);
    // Saved on the way out: the permissions the truth holds now.
    const saved = JSON.parse(readFileSync(join(dir, 'watch.state'), 'utf8')) as {
      watch: { permissions: Record<string, [string, string]> };
    };
    expect(Object.keys(saved.watch.permissions).sort()).toEqual(
      emulator
        .truth()
        .permissions[checkpoint]!.map((p) => p.id)
        .sort(),
    );
  });

  it('enforces the violations present at the start after the snapshot, and only reports them in a dry run', async () => {
    const { checkpoint, grantees } = scene(emulator.truth());
    const [kept, ...rest] = emulator.truth().permissions[checkpoint]!;
    const allow = join(dir, 'allow.txt');
    writeFileSync(allow, `${kept!.project_id}\n`);
    const dry = start([
      'watch',
      checkpoint,
      ...connect(),
      '--allow',
      allow,
      '--revoke',
      '--interval',
      '50ms',
    ]);
    await until(
      () => linesOf(dry).filter((l) => l.type === 'enforced').length === rest.length,
      'the dry run',
    );
    dry.interrupt();
    expect((await dry.done).code).toBe(0);
    expect(
      linesOf(dry)
        .filter((l) => l.type === 'violation')
        .map((l) => l.permission_id),
    ).toEqual(rest.map((p) => p.id));
    expect(
      linesOf(dry)
        .filter((l) => l.type === 'enforced')
        .every((l) => l.dry_run === true),
    ).toBe(true);
    expect(emulator.truth().permissions[checkpoint]).toHaveLength(grantees.length);
  });

  it('resumed from --state, enforces what happened while down once, and reports no snapshot violations (there was no snapshot)', async () => {
    const { checkpoint, grantees, others } = scene(emulator.truth());
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify({ projects: grantees }));
    const argv = [
      'watch',
      checkpoint,
      ...connect(),
      '--allow',
      allow,
      '--revoke',
      '--apply',
      '--interval',
      '50ms',
      '--state',
      join(dir, 'watch.state'),
    ];
    const first = start(argv);
    await until(() => linesOf(first).some((l) => l.type === 'synced'), 'the snapshot');
    first.interrupt();
    expect((await first.done).code).toBe(0);
    const rogue = emulator.grant(checkpoint, others[0]!);
    const second = start(argv);
    await until(
      () => linesOf(second).some((l) => l.type === 'revoked' && l.permission_id === rogue.id),
      'the rogue grant enforced and its revocation logged',
    );
    second.interrupt();
    expect((await second.done).code).toBe(0);
    const lines = linesOf(second);
    expect(lines.map((l) => l.type)).toEqual(['synced', 'granted', 'enforced', 'revoked']);
    expect(lines.filter((l) => l.type === 'enforced')).toEqual([
      expect.objectContaining({ permission_id: rogue.id, deleted: true }),
    ]);
  });

  it('stops deleting at --max-revocations and says so for each violation left in place', async () => {
    const { checkpoint } = scene(emulator.truth());
    const [kept, ...rest] = emulator.truth().permissions[checkpoint]!;
    expect(rest.length).toBeGreaterThanOrEqual(2);
    const allow = join(dir, 'allow.txt');
    writeFileSync(allow, `${kept!.project_id}\n`);
    const run = start([
      'watch',
      checkpoint,
      ...connect(),
      '--allow',
      allow,
      '--revoke',
      '--apply',
      '--max-revocations',
      '1',
      '--interval',
      '50ms',
    ]);
    await until(
      () => linesOf(run).filter((l) => l.type === 'enforced').length === rest.length,
      'every violation enforced or left',
    );
    run.interrupt();
    expect((await run.done).code).toBe(0);
    const enforced = linesOf(run).filter((l) => l.type === 'enforced');
    expect(enforced[0]).toMatchObject({ permission_id: rest[0]!.id, deleted: true });
    for (const line of enforced.slice(1))
      expect(line).toMatchObject({ deleted: false, reason: 'budget-exhausted' });
    expect(emulator.truth().permissions[checkpoint]!.map((p) => p.id)).toEqual(
      [kept!, ...rest.slice(1)].map((p) => p.id),
    );
  });

  it.each([
    [['--apply'], /--apply only makes sense with --revoke/],
    [['--revoke'], /--revoke needs --allow FILE/],
    [['--all'], /Give checkpoint ids \(or --input\) or --all, not both/],
    [['--webhook', 'ftp://example.com/hook'], /--webhook needs an http\(s\) URL/],
    [['--interval', '5ms'], /--interval.*expected a duration from 10ms to 1h/],
  ])('refuses %j in one line, exit 64, before any request', async (flags, message) => {
    const { checkpoint } = scene(emulator.truth());
    const before = emulator.stats().requests;
    const run = start(['watch', checkpoint, ...connect(), ...flags]);
    const { code, stdout, stderr } = await run.done;
    expect({ code, stdout }).toEqual({ code: 64, stdout: '' });
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(message);
    expect(emulator.stats().requests).toBe(before);
  });

  it('refuses to start without checkpoints (64)', async () => {
    const { code, stderr } = await start(['watch', ...connect()]).done;
    expect(code).toBe(64);
    expect(stderr).toMatch(
      /No checkpoints to watch: give their ids, --input FILE \(or - for stdin\), or --all\./,
    );
  });

  it('refuses a --state file that is not a watch state, and leaves it as it was', async () => {
    const { checkpoint } = scene(emulator.truth());
    const other = join(dir, 'notes.json');
    writeFileSync(other, '{"mine": true}\n');
    const run = start(['watch', checkpoint, ...connect(), '--state', other]);
    const { code, stdout, stderr } = await run.done;
    expect({ code, stdout }).toEqual({ code: 64, stdout: '' });
    expect(stderr).toMatch(
      /^checkpoint-permissions: .*notes\.json is not a state file of checkpoint-permissions watch: refusing to overwrite it/,
    );
    expect(readFileSync(other, 'utf8')).toBe('{"mine": true}\n');
  });

  it('serves /metrics (Prometheus text) and /healthz on 127.0.0.1', async () => {
    const { checkpoint } = scene(emulator.truth());
    const run = start([
      'watch',
      checkpoint,
      ...connect(),
      '--interval',
      '50ms',
      '--metrics-port',
      '0',
    ]);
    await until(
      () => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(run.stderr()),
      'the metrics server',
    );
    const base = /(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(run.stderr())![1]!;
    let text = '';
    for (let i = 0; i < 200 && !/watch_polls_total\{outcome="ok"\} [1-9]/.test(text); i++) {
      text = await (await fetch(`${base}/metrics`)).text();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(text).toMatch(/watch_polls_total\{outcome="ok"\} [1-9]/);
    expect(text).toMatch(/watch_events_total\{type="synced"\} 1/);
    expect(text).toMatch(/watch_requests_total [1-9]/);
    expect(text).toMatch(/watch_last_successful_poll_timestamp_seconds [1-9]\d+/);
    expect(text).toContain('watch_rate_limited_total');
    expect(text).toContain('watch_limiter_wait_seconds_total');
    expect(text).not.toContain(SECRET_KEY);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    run.interrupt();
    expect((await run.done).code).toBe(0);
  });
});
