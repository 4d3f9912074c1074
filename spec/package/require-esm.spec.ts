import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The package is ESM only; a CommonJS consumer still gets it through Node's require(esm)
 * (unflagged since Node 20.19, the engines floor). This runs the built package (`dist/`, made
 * by `npm test` before vitest) from a CommonJS file, as a consumer's project would.
 */
describe('a CommonJS consumer', () => {
  it('require()s the package and its emulator, and lists permissions', () => {
    const project = mkdtempSync(join(tmpdir(), 'cjs-consumer-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(resolve('.'), join(project, 'node_modules', 'rx-checkpoint-permissions'), 'dir');
    // The consumer's own rxjs, as its package.json would install beside ours.
    symlinkSync(resolve('node_modules/rxjs'), join(project, 'node_modules', 'rxjs'), 'dir');
    writeFileSync(
      join(project, 'consumer.cjs'),
      `
const { createClient, permissionItems$, ConfigError } = require('rx-checkpoint-permissions');
const { startEmulator } = require('rx-checkpoint-permissions/emulator');
const { lastValueFrom, toArray } = require('rxjs');
(async () => {
  const emulator = await startEmulator();
  const client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
  const [checkpoint, truth] = Object.entries(emulator.truth().permissions).find(([, l]) => l.length > 10);
  const items = await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray()));
  await client.close();
  await emulator.close();
  console.log(JSON.stringify({ got: items.length, truth: truth.length, configError: typeof ConfigError }));
})();
`,
    );
    const output = execFileSync(process.execPath, ['consumer.cjs'], {
      cwd: project,
      encoding: 'utf8',
    });
    const result = JSON.parse(output) as { got: number; truth: number; configError: string };
    expect(result.got).toBe(result.truth);
    expect(result.configError).toBe('function');
  });
});
