import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEmulatorBanner } from '../../src/emulator/banner.js';
import type { Emulator } from '../../src/emulator/index.js';
import { closingStdout, expectOneErrorLine, start, startSpecEmulator } from './helpers.js';
import { waitFor } from '../support/wait-for.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-emulator-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts `emulator` in-process and waits for its banner; returns what the banner says, and the
 * project keys of the file it names (checked to be private: mode 600).
 */
async function serve(argv: string[]): Promise<{
  started: ReturnType<typeof start>;
  url: string;
  key: string;
  stats: string;
  keysFile: string;
  projectKeys: Record<string, string>;
}> {
  const started = start(['emulator', '--port', '0', ...argv]);
  await waitFor(() => started.stdout().includes('Press Ctrl-C to stop.\n'), 'the banner');
  const banner = started.stdout();
  const url = /listening on (\S+)\n/.exec(banner)![1]!;
  const key = /Admin API key: (\S+)\n/.exec(banner)![1]!;
  const stats = /Stats:\s+(\S+)\n/.exec(banner)![1]!;
  const keysFile = /^Project keys file: (\S+) \(mode 600, removed when the emulator stops\)$/m.exec(
    banner,
  )![1]!;
  expect(statSync(keysFile).mode & 0o777).toBe(0o600);
  expect(statSync(join(keysFile, '..')).mode & 0o077).toBe(0);
  const projectKeys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>;
  // The closing hint is a command that works here, in a clone, where the binary is not on the
  // PATH, and reads every project key from the file (not the one of OPENAI_API_KEY).
  const hint = `npx tsx src/cli/bin.ts audit --all --project-keys ${keysFile}`;
  expect(banner).toBe(
    `${formatEmulatorBanner({ url, adminKey: key, projectKeys })
      .replace(
        /^Stats:/m,
        `Project keys file: ${keysFile} (mode 600, removed when the emulator stops)\nStats:`,
      )
      .replace(
        / OPENAI_API_KEY=\S+ checkpoint-permissions …$/m,
        ` ${hint}`,
      )}Press Ctrl-C to stop.\n`,
  );
  return { started, url, key, stats, keysFile, projectKeys };
}

describe('emulator', () => {
  it('prints its banner, serves the API and its stats until interrupted, then exits 0', async () => {
    const { started, url, key, stats, keysFile, projectKeys } = await serve([
      '--seed',
      '4',
      '--jobs',
      '2',
      '--checkpoints-per-job',
      '3',
      '--rpm',
      '600',
      '--burst',
      '20',
      '--latency',
      '1',
      '--chaos',
      '0',
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    // The admin key opens the organization endpoints, each project key its project's jobs.
    const projects = await fetch(`${url}/organization/projects?limit=100`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(projects.status).toBe(200);
    expect(projects.headers.get('x-ratelimit-limit-requests')).toBe('600');
    let jobs = 0;
    for (const projectKey of Object.values(projectKeys)) {
      const page = await fetch(`${url}/fine_tuning/jobs`, {
        headers: { authorization: `Bearer ${projectKey}` },
      });
      expect(page.status).toBe(200);
      jobs += ((await page.json()) as { data: unknown[] }).data.length;
    }
    expect(jobs).toBeGreaterThan(0);
    const counters = await fetch(stats);
    expect(counters.status).toBe(200);
    expect(((await counters.json()) as { requests: number }).requests).toBe(
      1 + Object.keys(projectKeys).length,
    );

    started.interrupt('SIGINT');
    expect(await started.done).toEqual({
      code: 0,
      stdout: started.stdout(),
      stderr: 'Emulator stopped (SIGINT).\n',
    });
    await expect(fetch(stats)).rejects.toThrow();
    // The keys file went with it.
    expect(existsSync(keysFile)).toBe(false);
  });

  it('serves a --dataset file', async () => {
    const dataset = join(dir, 'dataset.json');
    writeFileSync(
      dataset,
      JSON.stringify({ checkpoints: { 'ft:gpt-4o-mini:acme:x:ckpt-step-1': 3 } }),
    );
    const { started, url, key } = await serve(['--dataset', dataset]);
    const page = await fetch(
      `${url}/fine_tuning/checkpoints/${encodeURIComponent('ft:gpt-4o-mini:acme:x:ckpt-step-1')}/permissions`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    expect(((await page.json()) as { data: unknown[] }).data).toHaveLength(3);
    started.interrupt('SIGTERM');
    expect((await started.done).stderr).toBe('Emulator stopped (SIGTERM).\n');
  });

  it('exits 78 when the port is taken, saying so in one line', async () => {
    const port = new URL(emulator.url).port;
    const r = await start(['emulator', '--port', port]).done;
    expectOneErrorLine(
      r,
      78,
      new RegExp(`port ${port} is already in use; pick another with --port`),
    );
  });

  it('keeps serving when its reader goes away (| head -1), and exits 0 on Ctrl-C', async () => {
    const stdout = closingStdout();
    const started = start(['emulator', '--port', '0'], { stdout });
    await waitFor(() => stdout.readerLeft, 'the reader to go away');
    started.interrupt();
    expect(await started.done).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Emulator stopped (SIGINT).\n',
    });
  });
});
