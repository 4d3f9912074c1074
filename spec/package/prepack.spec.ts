import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const clone = mkdtempSync(join(tmpdir(), 'unbuilt-clone-'));
afterAll(() => rmSync(clone, { recursive: true, force: true }));

describe('npm pack in a clone that was never built', () => {
  it('builds first (prepack), so the package ships dist/', () => {
    // A fresh clone: the sources and configs, the dependencies, and no dist/.
    for (const entry of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
    ])
      cpSync(entry, join(clone, entry), { recursive: true });
    symlinkSync(resolve('node_modules'), join(clone, 'node_modules'), 'dir');
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: clone,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The build's own lines (npm's "> build" banners) come before the JSON.
    const [pack] = JSON.parse(out.slice(out.indexOf('[\n'))) as Array<{
      files: Array<{ path: string }>;
    }>;
    const files = pack!.files.map((f) => f.path);
    for (const entry of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/bin.js',
      'dist/emulator/index.js',
    ])
      expect(files).toContain(entry);
  }, 180_000);
});
