import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganization, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { SECRET_KEY } from './helpers.js';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    adminKey: SECRET_KEY,
    dataset: seedOrganization({ seed: 11, jobs: 2 }),
  });
  dir = mkdtempSync(join(tmpdir(), 'watch-restart-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Watch {
  readonly child: ChildProcess;
  readonly lines: () => Array<Record<string, unknown>>;
  readonly exit: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/** The built CLI, with only PATH and the admin key in its environment. */
function watch(argv: readonly string[]): Watch {
  const child = spawn(process.execPath, [BIN, 'watch', ...argv], {
    env: { PATH: process.env.PATH ?? '', OPENAI_ADMIN_KEY: SECRET_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr: err })),
  );
  const lines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((line) => line.endsWith('}'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, lines, exit };
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('watch --state across a SIGKILL (the built CLI)', () => {
  it('reports a grant made while it was down once, and nothing it had reported before', async () => {
    expect(existsSync(BIN), 'run `npm run build` first').toBe(true);
    const truth = emulator.truth();
    const checkpoint = Object.keys(truth.permissions)[0]!;
    const [before, during] = truth.projects
      .map((p) => p.id)
      .filter(
        (id) =>
          id !== truth.owners[checkpoint] &&
          !truth.permissions[checkpoint]!.some((p) => p.project_id === id),
      ) as [string, string];
    const state = join(dir, 'watch.state');
    const argv = [checkpoint, '--base-url', emulator.url, '--interval', '50ms', '--state', state];
    const saved = (): Record<string, unknown> =>
      existsSync(state)
        ? (
            JSON.parse(readFileSync(state, 'utf8')) as {
              watch: { permissions: Record<string, unknown> };
            }
          ).watch.permissions
        : {};

    const first = watch(argv);
    await until(() => first.lines().some((l) => l.type === 'synced'), 'the snapshot');
    const reported = emulator.grant(checkpoint, before);
    await until(
      () =>
        first.lines().some((l) => l.type === 'granted' && l.permission_id === reported.id) &&
        reported.id in saved(),
      'the first grant reported and saved',
    );
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const whileDown = emulator.grant(checkpoint, during);
    const second = watch(argv);
    await until(
      () => second.lines().some((l) => l.type === 'granted' && l.permission_id === whileDown.id),
      'the grant made while down',
    );
    // A later change, so that every poll that could repeat something has been read past.
    const [oldest] = emulator.truth().permissions[checkpoint]!;
    emulator.revoke(checkpoint, oldest!.id);
    await until(
      () => second.lines().some((l) => l.type === 'revoked' && l.permission_id === oldest!.id),
      'a later revocation',
    );
    second.child.kill('SIGTERM');
    const { code, stderr } = await second.exit;
    expect(code).toBe(0);
    expect(stderr).not.toContain(SECRET_KEY);

    const lines = second.lines();
    expect(lines[0]).toMatchObject({ type: 'synced', source: 'state' });
    expect(lines.filter((l) => l.type === 'granted').map((l) => l.permission_id)).toEqual([
      whileDown.id,
    ]);
    expect(lines.filter((l) => l.type === 'revoked').map((l) => l.permission_id)).toEqual([
      oldest!.id,
    ]);
    expect(Object.keys(saved()).sort()).toEqual(
      emulator
        .truth()
        .permissions[checkpoint]!.map((p) => p.id)
        .sort(),
    );
  });
});
