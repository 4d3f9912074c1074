import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** What `npm publish` would ship: the built code with its types and maps, and the three documents. */
describe('the npm package', () => {
  it('contains dist (JS, .d.ts, source maps), README, LICENSE and CHANGELOG, and nothing else', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        encoding: 'utf8',
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((f) => f.path).sort();
    const stray = files.filter(
      (path) =>
        !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(path) &&
        !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(path),
    );
    expect(stray).toEqual([]);
    for (const entry of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/emulator/index.js',
      'dist/emulator/index.d.ts',
      'dist/cli/bin.js',
    ]) {
      expect(files).toContain(entry);
    }
    expect(files.some((path) => path.endsWith('.js.map'))).toBe(true);
  });
});
