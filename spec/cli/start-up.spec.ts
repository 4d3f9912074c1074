import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built binary in a child process: run `npm run build` first (the test script does).
const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

let dir: string;
/** `--import` this to have the child print (to stderr) every module it loads. */
let tracer: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-start-up-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function load(url, context, next) {
  process._rawDebug('loaded ' + url);
  return next(url, context);
}\n`,
  );
  tracer = join(dir, 'trace.mjs');
  writeFileSync(
    tracer,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules `node dist/cli/bin.js …args` loads, as file URLs; it must exit `exitCode`. */
function modulesLoadedBy(args: readonly string[], exitCode = 0): string[] {
  const result = spawnSync(process.execPath, ['--import', tracer, BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(result.status).toBe(exitCode);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
}

describe('start-up', () => {
  it.each(['--version', '--help', 'audit --help'])(
    '%s loads commander and the command definitions, no command handler, RxJS or HTTP client',
    (command) => {
      const loaded = modulesLoadedBy(command.split(' '));
      expect(loaded.some((url) => url.includes('/dist/cli/definitions/audit.js'))).toBe(true);
      expect(
        loaded.filter((url) =>
          /\/dist\/cli\/commands\/|\/node_modules\/(rxjs|undici|cli-progress|prom-client|redis)\//.test(
            url,
          ),
        ),
      ).toEqual([]);
    },
  );

  it('loads the handler of the command that runs, and not the others', () => {
    const loaded = modulesLoadedBy(['diff', join(dir, 'nope.jsonl'), '-'], 66);
    const handlers = loaded.filter((url) => url.includes('/dist/cli/commands/'));
    expect(handlers.some((url) => url.endsWith('/commands/diff.js'))).toBe(true);
    expect(handlers.filter((url) => /\/commands\/(watch|emulator|demo)\.js$/.test(url))).toEqual(
      [],
    );
  });
});
