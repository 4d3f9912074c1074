import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { howToRun, installation, whereToRead } from '../../src/cli/invocation.js';
import { linesOf, run } from './helpers.js';
import { waitFor } from '../support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scripts = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('where the tool runs', () => {
  it('is a clone where the sources are, an installed package where only dist/ is', () => {
    expect(installation(process.cwd())).toBe('clone');
    const installed = join(dir, 'node_modules', 'rx-checkpoint-permissions');
    mkdirSync(join(installed, 'dist', 'cli'), { recursive: true });
    expect(installation(installed)).toBe('installed');
    expect(installation()).toBe('clone'); // these specs run from the repository
  });

  it('in a clone, hints name npm scripts that exist and run the CLI, and docs that exist', () => {
    expect(howToRun('emulator', 'clone')).toBe('npm run emulator');
    expect(howToRun('demo', 'clone')).toBe('npm run demo');
    expect(scripts.emulator).toBe('tsx src/cli/bin.ts emulator');
    expect(scripts.demo).toBe('tsx src/cli/bin.ts demo');
    expect(howToRun('audit --all', 'clone')).toBe('npx tsx src/cli/bin.ts audit --all');
    expect(existsSync('src/cli/bin.ts')).toBe(true);
    expect(existsSync(whereToRead('clone'))).toBe(true);
  });

  it('installed, hints use npx and the README, which npm always ships (docs/ is not shipped)', () => {
    expect(howToRun('emulator', 'installed')).toBe('npx checkpoint-permissions emulator');
    expect(whereToRead('installed')).toBe('node_modules/rx-checkpoint-permissions/README.md');
    const { files, bin } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      files: string[];
      bin: Record<string, string>;
    };
    expect(Object.keys(bin)).toEqual(['checkpoint-permissions']);
    expect(files.some((f) => f.startsWith('docs'))).toBe(false);
  });
});

describe('the hints the tool prints, in this clone', () => {
  it('demo ends with `npm run emulator` and docs/cli.md', async () => {
    const r = await run(['demo', '--quiet']);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).at(-1)).toBe(
      'Next: run `npm run emulator` in one terminal and audit it from another, see docs/cli.md.',
    );
  });

  it('no key: the way to try without one is `npm run demo`', async () => {
    const r = await run(['list', 'ft:x', '--base-url', 'http://127.0.0.1:9/v1']);
    expect(r.stderr).toMatch(/To try without one, run: npm run demo\n$/);
  });

  it('`npm run emulator` serves the emulator', async () => {
    const child = spawn('npm', ['run', '--silent', 'emulator', '--', '--port', '0'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => out.includes('Press Ctrl-C to stop.'), 'the emulator banner', 30_000);
      expect(out).toMatch(/^OpenAI API emulator listening on http:\/\/127\.0\.0\.1:\d+\/v1$/m);
      expect(out).toContain('npx tsx src/cli/bin.ts audit --all');
    } finally {
      // The whole group we started (npm, its shell, tsx, node); it may have exited already.
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  }, 40_000);
});
